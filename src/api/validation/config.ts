/**
 * ConfigMap, Secret and ServiceAccount validation (upstream
 * pkg/apis/core/validation: ValidateConfigMap, ValidateSecret,
 * ValidateServiceAccount and their updates). Keys are checked in sorted order
 * so the messages are stable (Go walks maps in random order).
 */
import type { ConfigMap, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { JSONSyntaxError, parseJSON } from '../schema/json.js';
import {
  FieldImmutableErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { byteLength, isConfigMapKey, nameIsDNSSubdomain } from './names.js';

/** core.MaxSecretSize: the data of a ConfigMap or Secret, all values together. */
export const MaxSecretSize = 1024 * 1024;

export const SecretTypes = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJSON: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const;

export const ServiceAccountNameKey = 'kubernetes.io/service-account.name';
const immutableMsg = 'field is immutable when `immutable` is set';

const sortedEntries = <V>(m: Record<string, V> | undefined): [string, V][] =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Bytes of a base64 value as stored (the decoder has already checked it). */
const decodedLength = (b64: string): number => Buffer.from(b64, 'base64').length;

function keyErrors(path: FieldPath, key: string): FieldError[] {
  return isConfigMapKey(key).map((m) => fieldErrors.invalid(path.key(key), key, m));
}

function configMapErrors(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const dataPath = FieldPath.root('data');
  let total = 0;
  for (const [k, v] of sortedEntries(cm.data)) {
    errs.push(...keyErrors(dataPath, k));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, k))
      errs.push(fieldErrors.invalid(dataPath.key(k), k, 'duplicate of key present in binaryData'));
    total += byteLength(v);
  }
  for (const [k, v] of sortedEntries(cm.binaryData)) {
    errs.push(...keyErrors(FieldPath.root('binaryData'), k));
    total += decodedLength(v);
  }
  // An empty path: the error is about the whole object.
  if (total > MaxSecretSize) errs.push(fieldErrors.tooLong('', '', MaxSecretSize));
  return errs;
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  return withGenericCreateChecks(cm.metadata, true, configMapErrors(cm));
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  // reflect.DeepEqual: nil and empty maps differ; decoding keeps `{}` as given.
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
};

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(fieldErrors.forbidden('immutable', immutableMsg));
    if (!sameMap(cm.data, old.data)) errs.push(fieldErrors.forbidden('data', immutableMsg));
    if (!sameMap(cm.binaryData, old.binaryData)) errs.push(fieldErrors.forbidden('binaryData', immutableMsg));
  }
  errs.push(...configMapErrors(cm));
  return withGenericUpdateChecks(cm.metadata, old.metadata, true, errs);
}

/** encoding/json's verdict on a value unmarshalled into map[string]interface{}; undefined when it is fine. */
function jsonObjectError(bytes: Buffer): string | undefined {
  let v: unknown;
  try {
    v = parseJSON(bytes.toString('utf8')).value;
  } catch (e) {
    if (e instanceof JSONSyntaxError) return e.message;
    throw e;
  }
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  const what = Array.isArray(v)
    ? 'array'
    : typeof v === 'string'
      ? 'string'
      : typeof v === 'boolean'
        ? 'bool'
        : 'number';
  return `json: cannot unmarshal ${what} into Go value of type map[string]interface {}`;
}

function secretErrors(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const dataPath = FieldPath.root('data');
  const data = secret.data ?? {};
  let total = 0;
  for (const [k, v] of sortedEntries(data)) {
    errs.push(...keyErrors(dataPath, k));
    total += decodedLength(v);
  }
  if (total > MaxSecretSize) errs.push(fieldErrors.tooLong(dataPath, '', MaxSecretSize));

  const has = (k: string) => Object.hasOwn(data, k);
  const required = (k: string) => errs.push(fieldErrors.required(dataPath.key(k)));
  const jsonKey = (k: string) => {
    if (!has(k)) return required(k);
    const why = jsonObjectError(Buffer.from(data[k]!, 'base64'));
    if (why) errs.push(fieldErrors.invalid(dataPath.key(k), '<secret contents redacted>', why));
  };
  switch (secret.type ?? '') {
    case SecretTypes.serviceAccountToken:
      // The uid annotation and the token may be filled in later by a controller.
      if (!secret.metadata?.annotations?.[ServiceAccountNameKey])
        errs.push(fieldErrors.required(FieldPath.root('metadata', 'annotations').key(ServiceAccountNameKey)));
      break;
    case SecretTypes.dockercfg:
      jsonKey('.dockercfg');
      break;
    case SecretTypes.dockerConfigJSON:
      jsonKey('.dockerconfigjson');
      break;
    case SecretTypes.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!has('username') && !has('password')) {
        required('username');
        required('password');
      }
      break;
    case SecretTypes.sshAuth:
      if (!data['ssh-privatekey']) required('ssh-privatekey');
      break;
    case SecretTypes.tls:
      if (!has('tls.crt')) required('tls.crt');
      if (!has('tls.key')) required('tls.key');
      break;
    default:
    // Opaque and any other type: free-form.
  }
  return errs;
}

export function validateSecret(secret: Secret): FieldError[] {
  return withGenericCreateChecks(secret.metadata, true, secretErrors(secret));
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  if ((secret.type ?? '') !== (old.type ?? ''))
    errs.push(fieldErrors.invalid('type', secret.type ?? '', FieldImmutableErrorMsg));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(fieldErrors.forbidden('immutable', immutableMsg));
    // stringData has already been folded into data.
    if (!sameMap(secret.data, old.data)) errs.push(fieldErrors.forbidden('data', immutableMsg));
  }
  errs.push(...secretErrors(secret));
  return withGenericUpdateChecks(secret.metadata, old.metadata, true, errs);
}

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return withGenericCreateChecks(
    sa.metadata,
    true,
    validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain),
  );
}

export function validateServiceAccountUpdate(sa: ServiceAccount, old: ServiceAccount): FieldError[] {
  return withGenericUpdateChecks(sa.metadata, old.metadata, true, [
    ...validateObjectMetaUpdate(sa.metadata, old.metadata),
    ...validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain),
  ]);
}
