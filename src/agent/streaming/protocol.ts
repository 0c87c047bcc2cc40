/**
 * The channel framing of remotecommand over WebSocket (upstream wsstream and
 * kubelet's streaming server). Every message starts with its channel:
 * 0 stdin, 1 stdout, 2 stderr, 3 error (the final Status), 4 resize
 * (`{"Width":80,"Height":24}`); v5 adds 255, "the client closed channel N".
 * Binary protocols send the channel as a byte and the data raw; the base64
 * ones send text: the channel as an ASCII digit and the data base64-encoded.
 *
 *   v5.channel.k8s.io          binary, close signal, Status JSON
 *   v4.channel.k8s.io          binary, Status JSON on the error channel
 *   v4.base64.channel.k8s.io   base64, Status JSON
 *   channel.k8s.io (or none)   binary, only a failure's message as text
 *   base64.channel.k8s.io      base64, only a failure's message as text
 */
import type { StreamStatus, TerminalSize } from './session.js';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** kubelet's streaming server default: a client's streams (exec's, a forward's pair) must all arrive within this. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

export interface ChannelProtocol {
  name: string;
  base64: boolean;
  /** The error channel carries the Status as JSON (v4+), else a failure's message. */
  jsonStatus: boolean;
  /** The client may signal the end of its stdin (v5). */
  closeSignal: boolean;
}

/** Kubelet's protocols for exec and attach. */
export const REMOTECOMMAND_PROTOCOLS: readonly ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', base64: false, jsonStatus: true, closeSignal: true },
  { name: 'v4.channel.k8s.io', base64: false, jsonStatus: true, closeSignal: false },
  { name: 'v4.base64.channel.k8s.io', base64: true, jsonStatus: true, closeSignal: false },
  { name: 'channel.k8s.io', base64: false, jsonStatus: false, closeSignal: false },
  { name: 'base64.channel.k8s.io', base64: true, jsonStatus: false, closeSignal: false },
];

/**
 * The protocol for the client's offer, in the client's order of preference
 * (upstream's handshake); no offer at all is channel.k8s.io. Undefined: none
 * is supported.
 */
export function negotiate(
  offered: readonly string[],
  supported: readonly ChannelProtocol[] = REMOTECOMMAND_PROTOCOLS,
): ChannelProtocol | undefined {
  const wanted = offered.length ? offered : ['channel.k8s.io'];
  for (const name of wanted) {
    const p = supported.find((s) => s.name === name);
    if (p) return p;
  }
  return undefined;
}

/** The subprotocols a Sec-WebSocket-Protocol header offers (repeated headers arrive comma-joined). */
export const offeredProtocols = (header: string | string[] | undefined): string[] =>
  (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** What the framing depends on. */
export type Framing = Pick<ChannelProtocol, 'base64'>;

/** One message for a channel: a byte or a digit, then the data raw or in base64. */
export function encodeFrame(p: Framing, channel: number, data: Buffer): Buffer | string {
  if (p.base64) return `${String.fromCharCode(48 + channel)}${data.toString('base64')}`;
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  data.copy(out, 1);
  return out;
}

/**
 * A client's message: its channel and data; undefined for an empty (keep-alive) one, or a base64
 * one whose channel is no digit.
 */
export function decodeFrame(
  p: Framing,
  message: Buffer | string,
): { channel: number; data: Buffer } | undefined {
  const buf = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  if (buf.length === 0) return undefined;
  if (p.base64) {
    const channel = buf[0]! - 48;
    if (channel < 0 || channel > 9) return undefined;
    return { channel, data: Buffer.from(buf.subarray(1).toString('latin1'), 'base64') };
  }
  return { channel: buf[0]!, data: buf.subarray(1) };
}

/** A resize message (`{"Width":…,"Height":…}`); undefined when it does not parse. */
export function parseResize(data: Buffer): TerminalSize | undefined {
  try {
    return terminalSize(JSON.parse(data.toString('utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The size in a decoded resize message, read as Go's encoding/json fills
 * remotecommand.TerminalSize: keys in any case (client-node sends
 * `width`/`height`, client-go `Width`/`Height`), the last of repeated keys
 * winning, uint16 values.
 */
export function terminalSize(v: unknown): TerminalSize | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const field = (name: string): unknown => {
    const key = Object.keys(o).findLast((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : o[key];
  };
  const width = field('Width') ?? 0;
  const height = field('Height') ?? 0;
  const u16 = (n: unknown): n is number =>
    Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff;
  return u16(width) && u16(height) ? { width, height } : undefined;
}

/**
 * What the error channel says at the end: v4+ the Status as JSON (success
 * included); older protocols only a failure's message, nothing on success.
 */
export function statusPayload(p: ChannelProtocol, status: StreamStatus): Buffer | undefined {
  if (p.jsonStatus) return Buffer.from(JSON.stringify(status));
  if (status.status === 'Success') return undefined;
  return Buffer.from(status.message ?? '');
}
