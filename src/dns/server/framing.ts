/** DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its 2-byte length. */

/** Splits a byte stream into messages; holds at most one partial message. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the complete messages it finished, in order. */
  push(chunk: Buffer): Buffer[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      out.push(buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
    }
    // Copy the remainder so a large chunk is not kept alive by a small tail.
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    return out;
  }

  /** Bytes of a message still being received. */
  get buffered(): number {
    return this.pending.length;
  }
}

/** Prefixes a message with its length, in one buffer (one write, one segment). */
export function frame(msg: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}
