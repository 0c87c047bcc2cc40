import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { setEventDefaults } from '../../../src/api/defaults/event.js';

describe('setEventDefaults', () => {
  it('changes nothing: core/v1 Event has no defaults upstream', () => {
    const ev: Event = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p' },
    };
    const before = structuredClone(ev);
    setEventDefaults(ev);
    assert.deepEqual(ev, before);
  });
});
