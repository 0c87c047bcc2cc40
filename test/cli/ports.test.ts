/** `up`'s port choice: taken defaults move to free ports, taken explicit ones are errors. */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { choosePorts, PortTakenError, portFree } from '../../src/cli/ports.js';
import { SvcnetError } from '../../src/lib/errors.js';

const listen = (port = 0): Promise<Server> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;
/** A port nothing listens on just now. */
async function freeNow(): Promise<number> {
  const s = await listen();
  const p = portOf(s);
  await new Promise((r) => s.close(r));
  return p;
}

describe('choosePorts', () => {
  let held: Server;
  let port: number;
  before(async () => {
    held = await listen();
    port = portOf(held);
  });
  after(() => held.close());

  const req = (p: number, explicit = false, udp = false) => ({
    flag: '--x-port',
    what: 'x',
    host: '127.0.0.1',
    port: p,
    explicit,
    udp,
  });

  it('keeps a free port, moves a taken default and says from where', async () => {
    const free = await freeNow();
    const [a, b] = await choosePorts([req(free), req(port)]);
    assert.equal(a!.port, free);
    assert.equal(a!.movedFrom, undefined);
    assert.equal(b!.movedFrom, port);
    assert.notEqual(b!.port, port);
    assert.equal(await portFree('127.0.0.1', b!.port), true);
  });

  it('refuses a taken port given explicitly', async () => {
    await assert.rejects(choosePorts([req(port, true)]), PortTakenError);
    await assert.rejects(choosePorts([req(port, true)]), (e: unknown) => {
      assert.ok(e instanceof SvcnetError);
      assert.equal(e.code, 'PORT_TAKEN');
      return true;
    });
  });

  it('never gives two listeners one port, and 0 stays 0', async () => {
    const free = await freeNow();
    const [a, b, c] = await choosePorts([req(free), req(free), req(0)]);
    assert.equal(a!.port, free);
    assert.notEqual(b!.port, free);
    assert.equal(c!.port, 0);
  });

  it('moves a DNS port whose UDP side is taken', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    try {
      const p = udp.address().port;
      const [tcpOnly] = await choosePorts([req(p)]);
      const [both] = await choosePorts([req(p, false, true)]);
      // TCP alone may be free there; for DNS both must be.
      assert.equal(tcpOnly!.movedFrom, (await portFree('127.0.0.1', p)) ? undefined : p);
      assert.equal(both!.movedFrom, p);
    } finally {
      udp.close();
    }
  });
});
