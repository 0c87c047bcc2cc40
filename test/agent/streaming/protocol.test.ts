import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeFrame,
  encodeFrame,
  negotiate,
  offeredProtocols,
  parseResize,
  statusPayload,
} from '../../../src/agent/streaming/protocol.js';
import { exitCodeStatus, internalErrorStatus, successStatus } from '../../../src/agent/streaming/session.js';

const proto = (name: string) => negotiate([name])!;

describe('remotecommand WebSocket framing', () => {
  it('negotiates in the client order, channel.k8s.io without an offer, none when unsupported', () => {
    assert.equal(
      negotiate(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io'))?.name,
      'v5.channel.k8s.io',
    );
    assert.equal(
      negotiate(offeredProtocols('v3.channel.k8s.io,v4.channel.k8s.io'))?.name,
      'v4.channel.k8s.io',
    );
    assert.equal(negotiate([])?.name, 'channel.k8s.io');
    assert.equal(negotiate(['v2.channel.k8s.io']), undefined);
  });

  it('frames binary data behind a channel byte', () => {
    const p = proto('v4.channel.k8s.io');
    assert.deepEqual(encodeFrame(p, 1, Buffer.from('hi')), Buffer.from([1, 0x68, 0x69]));
    assert.deepEqual(decodeFrame(p, Buffer.from([0, 0x61])), { channel: 0, data: Buffer.from('a') });
    assert.equal(decodeFrame(p, Buffer.alloc(0)), undefined);
  });

  it('frames base64 protocols as a digit and base64 text', () => {
    const p = proto('v4.base64.channel.k8s.io');
    assert.equal(encodeFrame(p, 2, Buffer.from('err')), `2${Buffer.from('err').toString('base64')}`);
    const f = decodeFrame(p, `0${Buffer.from([0xff, 0x00]).toString('base64')}`);
    assert.deepEqual(f, { channel: 0, data: Buffer.from([0xff, 0x00]) });
  });

  it('parses resize messages and refuses malformed ones', () => {
    assert.deepEqual(parseResize(Buffer.from('{"Width":120,"Height":40}')), { width: 120, height: 40 });
    assert.equal(parseResize(Buffer.from('{"Width":"x"}')), undefined);
    assert.equal(parseResize(Buffer.from('nope')), undefined);
  });

  it('reads resize keys in any case, as Go decodes TerminalSize (client-node sends width/height)', () => {
    assert.deepEqual(parseResize(Buffer.from('{"width":100,"height":30}')), { width: 100, height: 30 });
    assert.deepEqual(parseResize(Buffer.from('{"WIDTH":7,"Height":8}')), { width: 7, height: 8 });
    assert.deepEqual(parseResize(Buffer.from('{"Width":1,"width":2,"Height":3}')), { width: 2, height: 3 });
    assert.deepEqual(parseResize(Buffer.from('{"Height":3}')), { width: 0, height: 3 });
    assert.equal(parseResize(Buffer.from('{"Width":70000,"Height":3}')), undefined);
    assert.equal(parseResize(Buffer.from('{"Width":1.5,"Height":3}')), undefined);
    assert.equal(parseResize(Buffer.from('[1,2]')), undefined);
  });

  it("writes v4+ statuses as upstream's JSON, older ones only a failure's message", () => {
    const v5 = proto('v5.channel.k8s.io');
    assert.equal(statusPayload(v5, successStatus())?.toString(), '{"metadata":{},"status":"Success"}');
    assert.equal(
      statusPayload(v5, exitCodeStatus(3, ['sh', '-c', 'exit 3']))?.toString(),
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    const v1 = proto('channel.k8s.io');
    assert.equal(statusPayload(v1, successStatus()), undefined);
    assert.equal(statusPayload(v1, internalErrorStatus('boom'))?.toString(), 'Internal error occurred: boom');
  });
});
