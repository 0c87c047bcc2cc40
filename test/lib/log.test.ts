import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SvcnetError } from '../../src/lib/errors.js';
import { createLogger } from '../../src/lib/log.js';

function capture(format: 'text' | 'json', verbosity = 0) {
  const lines: string[] = [];
  const log = createLogger({ format, verbosity, write: (l) => lines.push(l) });
  return { log, lines };
}

describe('logging', () => {
  it('writes klog text lines', () => {
    const { log, lines } = capture('text');
    log.named('apiserver').info('Serving securely', { address: 'https://127.0.0.1:6443', port: 6443 });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ apiserver\] "Serving securely" address="https:\/\/127\.0\.0\.1:6443" port=6443\n$/,
    );
  });

  it('marks errors with E and err=', () => {
    const { log, lines } = capture('text');
    log.error(new Error('disk full'), 'Compaction failed');
    assert.match(lines[0]!, /^E\d{4} .* "Compaction failed" err="disk full"\n$/);
  });

  it('keeps the code and cause of a SvcnetError, in text and in JSON', () => {
    const failure = new SvcnetError('INVALID_FLAG', 'bad flag', {
      cause: new Error('time: invalid duration "x"'),
    });
    const text = capture('text');
    text.log.error(failure, 'Startup failed');
    assert.match(
      text.lines[0]!,
      /^E\d{4} .* "Startup failed" err="bad flag" code="INVALID_FLAG" cause="time: invalid duration \\"x\\""\n$/,
    );
    const json = capture('json');
    json.log.error(failure, 'Startup failed');
    const rec = JSON.parse(json.lines[0]!) as Record<string, unknown>;
    assert.equal(rec.err, 'bad flag');
    assert.equal(rec.code, 'INVALID_FLAG');
    assert.equal(rec.cause, 'time: invalid duration "x"');
    // Node's own codes come through too.
    json.log.error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'Dial failed');
    assert.equal((JSON.parse(json.lines[1]!) as Record<string, unknown>).code, 'ECONNREFUSED');
  });

  it("names the component apart from a message's own `name` key", () => {
    const { log, lines } = capture('text');
    log.named('dns').error(new Error('x'), 'Record index failed', { name: 'web.default.svc.cluster.local' });
    assert.match(
      lines[0]!,
      / dns\] "Record index failed" err="x" name="web\.default\.svc\.cluster\.local"\n$/,
    );
  });

  it('writes JSON lines with ts, v and msg', () => {
    const { log, lines } = capture('json');
    log.info('Stopped', { reason: 'SIGTERM' });
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(typeof rec.ts, 'number');
    assert.equal(rec.v, 0);
    assert.equal(rec.msg, 'Stopped');
    assert.equal(rec.reason, 'SIGTERM');
    log.error(new Error('boom'), 'Failed');
    const err = JSON.parse(lines[1]!) as Record<string, unknown>;
    assert.equal(err.err, 'boom');
    assert.equal(err.v, undefined);
  });

  it('drops messages above the verbosity', () => {
    const { log, lines } = capture('text', 1);
    log.v(1).info('shown');
    log.v(2).info('hidden');
    assert.equal(lines.length, 1);
    assert.equal(log.v(2).enabled, false);
  });
});
