/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`),
 * decoded into the plain objects JSON decoding of the same request gives.
 * kubectl's typed commands (`create service|namespace|deployment`) send these
 * since client-go 1.32; the server may answer JSON.
 */
import { StatusError, statusErrors } from '../../k8s/status.js';
import { errText } from '../../lib/errors.js';
import type { KubeObject } from '../registry/strategy.js';
import { DecodeError, decodeMessage } from './decode.js';
import { decodeEnvelope } from './envelope.js';
import { messageToJSON } from './json.js';
import { messageForKind, supportedKinds } from './kinds.js';

export { encodeProtobuf } from './encode.js';
export { supportedKinds } from './kinds.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isProtobufMediaType(contentType: string): boolean {
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** apiVersion and kind first, then the fields in Go struct order. */
  object: KubeObject;
}

/**
 * Decodes a protobuf body. `defaults` fill an envelope's missing apiVersion or
 * kind, as upstream fills them from the request path. Throws only a 400
 * StatusError: bad magic, truncated or malformed data, or an unsupported kind.
 */
export function decodeProtobuf(
  body: Uint8Array,
  defaults: { apiVersion?: string; kind?: string } = {},
): DecodedObject {
  try {
    const env = decodeEnvelope(body);
    const apiVersion = env.apiVersion || defaults.apiVersion || '';
    const kind = env.kind || defaults.kind || '';
    if (!kind) throw new DecodeError("Object 'Kind' is missing in the protobuf envelope");
    if (!apiVersion) throw new DecodeError("Object 'apiVersion' is missing in the protobuf envelope");
    const def = messageForKind(apiVersion, kind);
    if (!def) {
      throw statusErrors.badRequest(
        `protobuf bodies of kind ${kind} in ${apiVersion} are not supported; use JSON, or one of: ${supportedKinds.join(', ')}`,
      );
    }
    const fields = messageToJSON(def, decodeMessage(env.raw, def));
    const object = { apiVersion, kind, ...fields } as KubeObject;
    return { apiVersion, kind, object };
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw statusErrors.badRequest(`unable to decode protobuf body: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  if (err instanceof DecodeError) return err.message;
  // protobufjs reports reads past the end as RangeError ("index out of range").
  if (err instanceof RangeError) return `truncated or malformed data (${err.message})`;
  return errText(err);
}
