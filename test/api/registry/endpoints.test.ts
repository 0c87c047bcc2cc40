import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repackSubsets } from '../../../src/k8s/subsets.js';

describe('repackSubsets (the canonical Endpoints layout)', () => {
  it('sorts and deduplicates addresses', () => {
    const out = repackSubsets([
      {
        addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.1' }, { ip: '10.0.0.3' }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(out, [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }], ports: [{ port: 80, protocol: 'TCP' }] },
    ]);
  });

  it('merges subsets with the same addresses and splits ports with different ones', () => {
    const out = repackSubsets([
      { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'a', port: 80, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'b', port: 81, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'c', port: 82, protocol: 'TCP' }] },
    ]);
    assert.deepEqual(out, [
      {
        addresses: [{ ip: '10.0.0.1' }],
        ports: [
          { name: 'a', port: 80, protocol: 'TCP' },
          { name: 'b', port: 81, protocol: 'TCP' },
        ],
      },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'c', port: 82, protocol: 'TCP' }] },
    ]);
  });

  it('counts an address that is both ready and not ready as ready', () => {
    const out = repackSubsets([
      {
        addresses: [{ ip: '10.0.0.1' }],
        notReadyAddresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(out, [
      {
        addresses: [{ ip: '10.0.0.1' }],
        notReadyAddresses: [{ ip: '10.0.0.2' }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  it('keeps addresses of a subset without ports', () => {
    assert.deepEqual(repackSubsets([{ addresses: [{ ip: '10.0.0.1' }] }]), [
      { addresses: [{ ip: '10.0.0.1' }] },
    ]);
  });

  it('drops empty subsets', () => {
    assert.deepEqual(repackSubsets([{ ports: [{ port: 80 }] }]), []);
  });
});
