/**
 * Reading an `application/apply-patch+yaml` body (kubectl sends JSON, which
 * is YAML too) the way the apply patcher does: `error decoding YAML: ...`
 * for bodies that are not a map, and under Strict/Warn field validation the
 * duplicate keys go-yaml's strict mode rejects.
 */
import { StatusError } from '../../k8s/status.js';
import { composeYAML, YAMLSyntaxError, yamlValue } from '../schema/yaml.js';
import { cannotUnmarshal } from './decode.js';
import { isObject, type JsonObject, type JsonValue } from './value.js';

export interface DecodedApplyPatch {
  /** The applied configuration; empty when the body was empty or `null`. */
  patch: JsonObject;
  /**
   * The strict-decoding failure, if any. Upstream checks it only after the
   * apply succeeded: Strict answers it as 400 `error strict decoding YAML: ...`,
   * Warn turns it into a warning.
   */
  strictError?: string;
}

const yamlError = (message: string) =>
  new StatusError(400, 'BadRequest', `error decoding YAML: error converting YAML to JSON: ${message}`);

export function decodeApplyPatch(body: string): DecodedApplyPatch {
  let value: JsonValue;
  try {
    const doc = composeYAML(body, { uniqueKeys: false, prettyErrors: false });
    const syntax = doc.errors[0];
    if (syntax) {
      const line = lineAt(body, syntax.pos[0]);
      const detail = syntax.message.split(' at line')[0]!.toLowerCase();
      throw yamlError(`yaml: ${line ? `line ${line}: ` : ''}${detail}`);
    }
    value = (yamlValue(doc) ?? null) as JsonValue;
  } catch (err) {
    // Nesting, aliases: go-yaml's own words.
    if (err instanceof YAMLSyntaxError) throw yamlError(err.message);
    throw err;
  }
  if (value !== null && !isObject(value)) {
    throw new StatusError(
      400,
      'BadRequest',
      `error decoding YAML: ${cannotUnmarshal(value, 'map[string]interface {}')}`,
    );
  }
  const dup = composeYAML(body, { uniqueKeys: true, prettyErrors: false }).errors.find(
    (e) => e.code === 'DUPLICATE_KEY',
  );
  const patch = value ?? {};
  if (!dup) return { patch };
  const line = lineAt(body, dup.pos[0]);
  const key = keyAt(body, dup.pos[0]);
  return {
    patch,
    strictError: `error converting YAML to JSON: yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`,
  };
}

function lineAt(body: string, offset: number): number {
  return body.slice(0, offset).split('\n').length;
}

/** The (possibly quoted) mapping key that starts at `offset`. */
function keyAt(body: string, offset: number): string {
  const rest = body.slice(offset);
  const quoted = /^"(?:[^"\\]|\\.)*"/.exec(rest);
  if (quoted) return JSON.parse(quoted[0]) as string;
  const single = /^'((?:[^']|'')*)'/.exec(rest);
  if (single) return single[1]!.replaceAll("''", "'");
  return rest.split(/:\s|:$/m)[0]!.trim();
}

/** The 400 that a strict-decoding failure of an apply patch is answered with (fieldValidation=Strict). */
export function applyStrictError(strictError: string): StatusError {
  return new StatusError(400, 'BadRequest', `error strict decoding YAML: ${strictError}`);
}
