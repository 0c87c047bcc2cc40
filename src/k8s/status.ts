/**
 * `metav1.Status` failures as apimachinery's `api/errors` builds them: the
 * same reasons, codes and message formats, so kubectl prints what it prints
 * against a real cluster. The store, the allocators and the API server throw
 * them; the API answers them as Status objects.
 */

import { errText, SvcnetError } from '../lib/errors.js';
import { aggregateMessage, type FieldError } from './field.js';
import { goQuote } from './gofmt.js';

export type StatusReason =
  /** Upstream's StatusReasonUnknown: a plain error; omitted on the wire. */
  | ''
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire form of a `metav1.Status`. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that the API answers as a `Status` object. */
export class StatusError extends SvcnetError<number> {
  constructor(
    code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    /** The Status's list metadata (a 410 for a compacted continue token carries a new token). */
    readonly listMeta?: { continue?: string },
  ) {
    super(code, message);
  }

  toStatus(): Status {
    // Key order as upstream serialises it: details before code.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listMeta ?? {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: omitEmpty(this.details) } : {}),
      code: this.code,
    };
  }
}

/** StatusDetails as Go serialises it: every field is omitempty (an empty name, no causes: absent). */
function omitEmpty(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes?.length) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** Identifies a resource in messages: `services`, `endpointslices.discovery.k8s.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}
/** Identifies a kind in messages: `Service`, `EndpointSlice.discovery.k8s.io`. */
export interface GroupKind {
  group: string;
  kind: string;
}

const grString = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
const gkString = (gk: GroupKind) => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);

export const statusErrors = {
  notFound: (gr: GroupResource, name: string) =>
    new StatusError(404, 'NotFound', `${grString(gr)} ${goQuote(name)} not found`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),

  /**
   * A path that names no resource (unknown resource, subresource or version):
   * upstream's go-restful 404, built by NewGenericServerResponse, whose
   * details are present and empty (kubectl debug reads details.name of it).
   */
  noResource: () => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),

  alreadyExists: (gr: GroupResource, name: string) =>
    new StatusError(409, 'AlreadyExists', `${grString(gr)} ${goQuote(name)} already exists`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),

  /** A stale resourceVersion or failed precondition. */
  conflict: (gr: GroupResource, name: string, why: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${grString(gr)} ${goQuote(name)}: ${why}`,
      {
        name,
        group: gr.group || undefined,
        kind: gr.resource,
      },
    ),

  /** 422 Invalid with one cause per field error. */
  invalid: (gk: GroupKind, name: string, errs: readonly FieldError[]) =>
    new StatusError(
      422,
      'Invalid',
      errs.length
        ? `${gkString(gk)} ${goQuote(name)} is invalid: ${aggregateMessage(errs)}`
        : `${gkString(gk)} ${goQuote(name)} is invalid`,
      {
        name,
        group: gk.group || undefined,
        kind: gk.kind,
        causes: errs.map((e) => ({ reason: e.type, message: e.body(), field: e.field })),
      },
    ),

  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),

  /** A watch or continue token older than the retained history. */
  expired: (message: string) => new StatusError(410, 'Expired', message),

  gone: (message: string) => new StatusError(410, 'Gone', message),

  methodNotSupported: (gr: GroupResource, action: string) =>
    new StatusError(
      405,
      'MethodNotAllowed',
      `${action} is not supported on resources of kind ${goQuote(grString(gr))}`,
      {
        group: gr.group || undefined,
        kind: gr.resource,
      },
    ),

  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),

  unsupportedMediaType: () =>
    new StatusError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    ),

  tooLarge: (limit: number) =>
    new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),

  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),

  forbidden: (gr: GroupResource, name: string, why: string) =>
    new StatusError(403, 'Forbidden', `${grString(gr)} ${goQuote(name)} is forbidden: ${why}`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    }),

  internal: (err: unknown) =>
    new StatusError(500, 'InternalError', `Internal error occurred: ${errText(err)}`, {
      causes: [{ message: errText(err) }],
    }),

  serviceUnavailable: (message: string) => new StatusError(503, 'ServiceUnavailable', message),

  timeout: (message: string, retryAfterSeconds = 1) =>
    new StatusError(504, 'Timeout', message, { retryAfterSeconds }),
};

/** True when a store or registry error is a StatusError with this reason. */
export function isReason(err: unknown, reason: StatusReason): boolean {
  return err instanceof StatusError && err.reason === reason;
}
