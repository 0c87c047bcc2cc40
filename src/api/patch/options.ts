/**
 * Validation of the options of a PATCH request (ValidatePatchOptions) and
 * of field manager names, with apimachinery's messages.
 */
import { type FieldError, fieldErrors } from '../../k8s/field.js';
import { type StatusError, statusErrors } from '../../k8s/status.js';
import type { PatchType } from './index.js';

/** apimachinery FieldManagerMaxLength. */
export const fieldManagerMaxLength = 128;

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(manager: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager) > fieldManagerMaxLength) {
    errs.push(fieldErrors.tooLong(path, manager, fieldManagerMaxLength));
  }
  let pos = 0;
  for (const ch of manager) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errs.push(fieldErrors.invalid(path, manager, `invalid character U+${hex} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch);
  }
  return errs;
}

export interface PatchOptions {
  force?: boolean;
  fieldManager?: string;
  dryRun?: readonly string[];
  fieldValidation?: string;
}

/** ValidatePatchOptions: answered as 422 `PatchOptions.meta.k8s.io "" is invalid: ...`. */
export function validatePatchOptions(type: PatchType, opts: PatchOptions): StatusError | undefined {
  const errs: FieldError[] = [];
  if (type !== 'application/apply-patch+yaml') {
    if (opts.force !== undefined)
      errs.push(fieldErrors.forbidden('force', 'may not be specified for non-apply patch'));
  } else if (!opts.fieldManager) {
    errs.push(fieldErrors.required('fieldManager', 'is required for apply patch'));
  }
  errs.push(...validateFieldManager(opts.fieldManager ?? '', 'fieldManager'));
  const dryRun = opts.dryRun ?? [];
  if (dryRun.some((d) => d !== 'All')) errs.push(fieldErrors.notSupported('dryRun', dryRun, ['All']));
  const fv = opts.fieldValidation ?? '';
  if (!['', 'Ignore', 'Strict', 'Warn'].includes(fv)) {
    errs.push(fieldErrors.notSupported('fieldValidation', fv, ['', 'Ignore', 'Strict', 'Warn']));
  }
  return errs.length
    ? statusErrors.invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', errs)
    : undefined;
}
