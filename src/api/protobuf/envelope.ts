/**
 * The Kubernetes protobuf envelope (apimachinery runtime/serializer/protobuf):
 * the 4-byte magic "k8s\0", then a runtime.Unknown whose typeMeta names the
 * object's apiVersion and kind and whose raw field holds the object message.
 */
import { DecodeError, decodeMessage, type State } from './decode.js';
import { messageDef } from './schema.js';

export const MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

const unknownDef = messageDef('runtime.Unknown');

export function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

export function decodeEnvelope(body: Uint8Array): Envelope {
  // Upstream's messages (protobuf.go Decode).
  if (body.length === 0) throw new DecodeError('empty data');
  if (!hasMagic(body)) {
    throw new DecodeError(
      `provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`,
    );
  }
  if (body.length === MAGIC.length) throw new DecodeError('empty body');
  const unknown = decodeMessage(body.subarray(MAGIC.length), unknownDef);
  const typeMeta = unknown.get(1) as State | undefined;
  return {
    apiVersion: (typeMeta?.get(1) as string | undefined) ?? '',
    kind: (typeMeta?.get(2) as string | undefined) ?? '',
    raw: (unknown.get(2) as Uint8Array | undefined) ?? new Uint8Array(0),
  };
}
