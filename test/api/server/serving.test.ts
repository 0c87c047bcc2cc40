import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ConnectionGuard } from '../../../src/api/server/serving.js';

let port = 40000;
/** A stand-in for an accepted socket: an address, a port, destroy() that closes it. */
function sock(address: string) {
  const s = Object.assign(new EventEmitter(), {
    remoteAddress: address,
    remotePort: port++,
    destroyed: false,
    destroy() {
      s.destroyed = true;
      s.emit('close');
    },
  });
  return s;
}
const raw = (s: ReturnType<typeof sock>) => s as unknown as Socket;

describe('ConnectionGuard', () => {
  it('closes the oldest unauthenticated connection of an address past its cap', () => {
    const g = new ConnectionGuard(2, 100);
    const [a1, a2, a3, b1] = [sock('127.0.0.1'), sock('127.0.0.1'), sock('127.0.0.1'), sock('127.0.0.2')];
    for (const s of [a1, a2, b1, a3]) g.admit(raw(s));
    assert.deepEqual(
      [a1, a2, a3, b1].map((s) => s.destroyed),
      [true, false, false, false],
    );
  });

  it('closes the oldest of all past the total cap', () => {
    const g = new ConnectionGuard(10, 3);
    const s = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'].map(sock);
    for (const x of s) g.admit(raw(x));
    assert.deepEqual(
      s.map((x) => x.destroyed),
      [true, false, false, false],
    );
  });

  it('stops counting a connection once it authenticates or closes', () => {
    const g = new ConnectionGuard(2, 100);
    const [a1, a2, a3, a4] = [1, 2, 3, 4].map(() => sock('::ffff:127.0.0.1'));
    g.admit(raw(a1!));
    g.admit(raw(a2!));
    g.authenticated(raw(a1!));
    a2!.destroy();
    g.admit(raw(a3!));
    g.admit(raw(a4!));
    assert.deepEqual([a1!.destroyed, a3!.destroyed, a4!.destroyed], [false, false, false]);
  });

  it('keeps counting an address whose only connection was closed for the cap', () => {
    const g = new ConnectionGuard(1, 100);
    const s = [1, 2, 3].map(() => sock('127.0.0.1'));
    for (const x of s) g.admit(raw(x));
    assert.deepEqual(
      s.map((x) => x.destroyed),
      [true, true, false],
    );
  });

  it('tells the connections still in their TLS handshake', () => {
    const g = new ConnectionGuard(10, 10);
    const [a, b] = [sock('127.0.0.1'), sock('127.0.0.1')];
    g.admit(raw(a));
    g.admit(raw(b));
    g.secured(raw(a));
    assert.deepEqual(g.handshaking(), [raw(b)]);
  });
});
