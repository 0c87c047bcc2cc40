/**
 * The schema against an independent source: kubernetes-types 1.30 (generated
 * from upstream's OpenAPI). Every field it has on a message reachable from a
 * supported kind must be in our schema with the same JSON name and shape
 * (list, map, message of the same name, scalar kind). Fields we have beyond
 * it must be ones upstream added after 1.30.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { messageForKind, supportedKinds } from '../../../src/api/protobuf/kinds.js';
import type { FieldDef, MessageDef } from '../../../src/api/protobuf/schema.js';

type Shape = { kind: 'array' | 'map' | 'one'; type: string };

const typesDir = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

/** interface name → property → shape, from a kubernetes-types .d.ts file. */
function parseTypes(file: string): Map<string, Map<string, Shape>> {
  const out = new Map<string, Map<string, Shape>>();
  const lines = readFileSync(join(typesDir, file), 'utf8').split('\n');
  let props: Map<string, Shape> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = /^export interface (\w+) \{/.exec(line);
    if (start) {
      props = new Map();
      out.set(start[1]!, props);
    }
    const prop = /^ {4}(?:readonly )?(\w+)\??: (.*)$/.exec(line);
    if (!props || !prop) continue;
    const [, name, type] = prop as unknown as [string, string, string];
    if (type === '{') {
      props.set(name, { kind: 'map', type: /\]: (.*);$/.exec(lines[++i]!)![1]! });
    } else {
      const array = /^Array<(.*)>;$/.exec(type);
      props.set(
        name,
        array ? { kind: 'array', type: array[1]! } : { kind: 'one', type: type.replace(/;$/, '') },
      );
    }
  }
  return out;
}

const files: Record<string, string> = {
  core: 'core/v1.d.ts',
  meta: 'meta/v1.d.ts',
  apps: 'apps/v1.d.ts',
  discovery: 'discovery/v1.d.ts',
  networking: 'networking/v1.d.ts',
  autoscaling: 'autoscaling/v1.d.ts',
  batch: 'batch/v1.d.ts',
};
const interfaces = new Map<string, Map<string, Shape>>();
for (const file of Object.values(files))
  for (const [k, v] of parseTypes(file)) interfaces.set(`${file}:${k}`, v);

/** Fields upstream added after 1.30 (kubernetes-types' version), so it lacks them. */
const newerThan130 = new Set([
  'core.Container.restartPolicyRules',
  'core.ContainerStatus.stopSignal',
  'core.EnvVarSource.fileKeyRef',
  'core.Lifecycle.stopSignal',
  'core.NodeStatus.declaredFeatures',
  'core.NodeStatus.features',
  'core.NodeSystemInfo.swap',
  'core.NodeRuntimeHandlerFeatures.userNamespaces',
  'core.PodCondition.observedGeneration',
  'core.PodSecurityContext.seLinuxChangePolicy',
  'core.PodSecurityContext.supplementalGroupsPolicy',
  'core.PodSpec.hostnameOverride',
  'core.PodSpec.resources',
  'core.PodSpec.workloadRef',
  'core.PodStatus.allocatedResources',
  'core.PodStatus.extendedResourceClaimStatus',
  'core.PodStatus.observedGeneration',
  'core.PodStatus.resources',
  'core.ContainerStatus.allocatedResourcesStatus',
  'core.ContainerStatus.user',
  'core.ResourceClaim.request',
  'core.VolumeMountStatus.volumeStatus',
  'core.VolumeProjection.podCertificate',
  'core.Volume.image',
  'core.PodResourceClaim.resourceClaimName',
  'core.PodResourceClaim.resourceClaimTemplateName',
  'meta.DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential',
  'core.EphemeralContainer.restartPolicyRules',
  'apps.DeploymentStatus.terminatingReplicas',
  'apps.ReplicaSetStatus.terminatingReplicas',
  'discovery.EndpointHints.forNodes',
]);

/** Fields 1.30 had that upstream has since removed (tombstoned), so 1.32 clients never send them. */
const removed = new Set(['core.PodResourceClaim.source']);

/** JSON name → field, with inlined structs flattened as JSON flattens them. */
function jsonFields(def: MessageDef): Map<string, FieldDef> {
  const out = new Map<string, FieldDef>();
  for (const f of def.fields) {
    if (f.inline) for (const [k, v] of jsonFields(f.message!)) out.set(k, v);
    else out.set(f.json, f);
  }
  return out;
}

function typeName(f: FieldDef): string {
  if (f.message) {
    const short = f.message.fullName.split('.')[1]!;
    return short === 'IntOrString' ? 'number | string' : short;
  }
  return { s: 'string', by: 'string', b: 'boolean', i32: 'number', i64: 'number' }[f.scalar!];
}

test('schema matches kubernetes-types 1.30 on every reachable message', () => {
  const problems: string[] = [];
  const extras = new Set<string>();
  const seen = new Set<string>();
  const visit = (def: MessageDef, name: string, root = false): void => {
    if (seen.has(`${def.fullName}/${name}`) || def.special) return;
    seen.add(`${def.fullName}/${name}`);
    const pkg = def.fullName.split('.')[0]!;
    const props = interfaces.get(`${files[pkg]}:${name}`);
    if (!props) {
      problems.push(`${def.fullName}: no interface ${name} in kubernetes-types`);
      return;
    }
    const mine = jsonFields(def);
    for (const [prop, shape] of props) {
      // TypeMeta is not on the wire (the envelope carries the top-level one),
      // nor is removed.has() a field upstream dropped after 1.30.
      if (
        ((root || props.has('metadata')) && (prop === 'apiVersion' || prop === 'kind')) ||
        removed.has(`${pkg}.${name}.${prop}`)
      ) {
        continue;
      }
      const f = mine.get(prop);
      if (!f) {
        problems.push(`${def.fullName}.${prop}: missing`);
        continue;
      }
      const kind = f.repeated ? 'array' : f.map ? 'map' : 'one';
      if (kind !== shape.kind || typeName(f) !== shape.type) {
        problems.push(
          `${def.fullName}.${prop}: ${kind} ${typeName(f)}, kubernetes-types has ${shape.kind} ${shape.type}`,
        );
      }
      if (f.message) visit(f.message, f.message.fullName.split('.')[1]!);
    }
    for (const json of mine.keys()) if (!props.has(json)) extras.add(`${pkg}.${name}.${json}`);
  };
  for (const gvk of supportedKinds) {
    const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
    visit(messageForKind(gvk.slice(0, gvk.lastIndexOf('/')), kind)!, kind, true);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual([...extras].filter((e) => !newerThan130.has(e)).sort(), []);
  assert.deepEqual(
    [...newerThan130].filter((e) => !extras.has(e)).sort(),
    [],
    'stale entries in newerThan130',
  );
  assert.ok(seen.size > 150, `only ${seen.size} messages compared`);
});
