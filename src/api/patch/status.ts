/**
 * Status errors the patch handler answers with that have no constructor in
 * ../errors.ts.
 */
import { type FieldError, fieldErrors } from '../../k8s/field.js';
import { StatusError, type StatusReason } from '../../k8s/status.js';

/**
 * A plain Go error that reached the handler: `ErrorToAPIStatus` answers 500
 * with reason Unknown (empty, omitted on the wire by upstream) and the
 * error text as message.
 */
export function unknownError(message: string, code = 500): StatusError {
  return new StatusError(code, '' as StatusReason, message);
}

/**
 * `NewGenericServerResponse(422, ...)` without a server message: reason
 * Invalid, empty details, and the generic text kubectl shows as
 * "The request is invalid: the server rejected our request due to an error in our request".
 */
export function genericInvalid(cause?: Error): StatusError {
  const err = new StatusError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
  if (cause) (err as Error).cause = cause;
  return err;
}

/**
 * The 422 the patch handler answers when the patched object fails strict
 * decoding: `NewInvalid(schema.GroupKind{}, "", {field.Invalid("patch", value, "strict decoding error: ...")})`,
 * whose kind and name are empty. `value` is the patched JSON (JSON and merge
 * patches) or the patch printed with Go's `%+v` (strategic merge patch).
 */
export function strictDecodingInvalid(value: string, strictErrors: readonly string[]): StatusError {
  const fe: FieldError = fieldErrors.invalid(
    'patch',
    value,
    `strict decoding error: ${strictErrors.join(', ')}`,
  );
  return new StatusError(422, 'Invalid', ` "" is invalid: ${fe.toString()}`, {
    causes: [{ reason: fe.type, message: fe.body(), field: fe.field }],
  });
}
