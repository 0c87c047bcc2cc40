/**
 * Tests run against definitions generated fresh from kubernetes-types and
 * facts.ts (not a possibly stale dist/schemas), written once to a temp file
 * that the schema loader is pointed at.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../../tools/gen-schemas.js';

let defs: ReturnType<typeof generate> | undefined;

/** The generated definitions; also makes `src/api/schema` load them. */
export function useFreshDefinitions(): ReturnType<typeof generate> {
  if (!defs) {
    defs = generate();
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-defs-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'definitions.json');
    writeFileSync(file, JSON.stringify(defs));
    process.env.SVCNET_DEFINITIONS = file;
  }
  return defs;
}
