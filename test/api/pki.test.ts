import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensurePki } from '../../src/api/pki.js';

describe('pki', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcnet-pki-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const names = { ips: ['127.0.0.1', '::1', '127.96.0.1'], dns: ['localhost', 'kubernetes.default.svc'] };

  it('makes a CA, a serving certificate for every name, an admin client certificate and a token', () => {
    const pki = ensurePki(dir, names);
    const ca = new X509Certificate(pki.caCert);
    const server = new X509Certificate(pki.serverCert);
    const admin = new X509Certificate(pki.adminCert);
    assert.ok(server.verify(ca.publicKey));
    assert.ok(admin.verify(ca.publicKey));
    assert.ok(ca.ca);
    for (const ip of names.ips) assert.ok(server.checkIP(ip), ip);
    for (const d of names.dns) assert.ok(server.checkHost(d), d);
    assert.match(admin.subject, /O=system:masters/);
    assert.match(pki.adminToken, /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600);
  });

  it('keeps what exists, and re-issues the serving certificate when the names change', () => {
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const first = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
    assert.equal(ensurePki(dir, names).serverCert, first);
    const moved = ensurePki(dir, { ...names, ips: [...names.ips.slice(0, 2), '10.96.0.1'] });
    assert.notEqual(moved.serverCert, first);
    assert.ok(new X509Certificate(moved.serverCert).checkIP('10.96.0.1'));
    assert.equal(moved.caCert, ca);
  });
});
