/**
 * The patch types the API accepts and how a PATCH body turns into the new
 * object, as handlers/patch.go does it. Server-side apply
 * (`application/apply-patch+yaml`) is decoded here and merged by
 * ../fieldmanager.
 */
import type { StatusError } from '../../k8s/status.js';
import type { ObjectSchema } from '../schema/types.js';
import { applyJsonPatchOps, decodeJsonPatch, JsonPatchError } from './json.js';
import { applyMergePatch, decodeMergePatch } from './merge.js';
import { genericInvalid, strictDecodingInvalid } from './status.js';
import { applyStrategicMergePatch, decodeStrategicMergePatch } from './strategic.js';
import { goJSON, goSprint, type JsonObject, type JsonValue } from './value.js';

export { applyStrictError, type DecodedApplyPatch, decodeApplyPatch } from './apply.js';
export { applyJsonPatchOps, JsonPatchError } from './json.js';
export { applyMergePatch } from './merge.js';
export { genericInvalid, strictDecodingInvalid, unknownError } from './status.js';
export { applyStrategicMergePatch } from './strategic.js';
export type { JsonObject, JsonValue } from './value.js';

export const PatchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = (typeof PatchTypes)[keyof typeof PatchTypes];

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export function isPatchType(contentType: string): contentType is PatchType {
  return (Object.values(PatchTypes) as string[]).includes(contentType);
}

export interface PatchOutcome {
  /** The patched document; a merge patch that is an array yields an array, which the decoder rejects. */
  object: JsonValue;
  /**
   * Strict-decoding complaints about the patch body itself (duplicate keys,
   * unknown JSON patch op fields). Upstream combines them with the unknown
   * fields the decoder finds in `object`: Strict answers them with
   * {@link strictPatchError}, Warn sends them as warnings.
   */
  strictErrors: string[];
}

/**
 * Applies a JSON, merge or strategic merge patch body to `original`.
 * Throws the StatusError the API answers with (400 for undecodable bodies,
 * 413 for too many JSON patch operations, 422 for operations that do not
 * apply, and strategic merge patch's own codes).
 */
export function applyPatch(
  type: Exclude<PatchType, typeof PatchTypes.apply>,
  original: JsonObject,
  body: string,
  opts: { schema: ObjectSchema; fieldValidation?: FieldValidation },
): PatchOutcome {
  const strict = (opts.fieldValidation ?? 'Warn') !== 'Ignore';
  switch (type) {
    case PatchTypes.json: {
      const { patch, strictErrors } = decodeJsonPatch(body, strict);
      try {
        return { object: applyJsonPatchOps(original, patch), strictErrors };
      } catch (err) {
        if (err instanceof JsonPatchError) throw genericInvalid(err);
        throw err;
      }
    }
    case PatchTypes.merge: {
      const { patch, strictErrors } = decodeMergePatch(body, strict);
      return { object: applyMergePatch(original, patch), strictErrors };
    }
    case PatchTypes.strategic: {
      const { patch, strictErrors } = decodeStrategicMergePatch(body, strict);
      return { object: applyStrategicMergePatch(original, patch, opts.schema), strictErrors };
    }
  }
}

/**
 * The 422 for strict-decoding errors of a patch request. Upstream shows the
 * patched JSON for JSON and merge patches and the patch (Go's `%+v`) for a
 * strategic merge patch.
 */
export function strictPatchError(
  type: Exclude<PatchType, typeof PatchTypes.apply>,
  patched: JsonValue,
  body: string,
  errors: readonly string[],
): StatusError {
  if (type !== PatchTypes.strategic) return strictDecodingInvalid(goJSON(patched), errors);
  let patch: JsonValue = {};
  try {
    patch = decodeStrategicMergePatch(body, false).patch;
  } catch {
    // The body was decodable when the patch was applied.
  }
  return strictDecodingInvalid(goSprint(patch), errors);
}

export {
  fieldManagerMaxLength,
  type PatchOptions,
  validateFieldManager,
  validatePatchOptions,
} from './options.js';
