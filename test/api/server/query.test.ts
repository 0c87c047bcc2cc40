/** Query parameter decoding shared by every handler: booleans, pretty, log options, bookmark timing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logQuery } from '../../../src/api/server/podlog.js';
import {
  parseGoBool,
  prettyRequested,
  queryBool,
  queryOptionalBool,
  watchRequested,
} from '../../../src/api/server/query.js';
import { nextBookmarkAt } from '../../../src/api/server/watch.js';

describe('boolean options (runtime.Convert_Slice_string_To_bool)', () => {
  const rows: [string, boolean | undefined][] = [
    ['', undefined],
    ['watch', true],
    ['watch=', true],
    ['watch=true', true],
    ['watch=True', true],
    ['watch=TRUE', true],
    ['watch=1', true],
    ['watch=t', true],
    ['watch=yes', true],
    ['watch=false', false],
    ['watch=False', false],
    ['watch=FALSE', false],
    ['watch=fAlSe', false],
    ['watch=0', false],
    ['watch=0&watch=1', false],
    ['watch=1&watch=0', true],
  ];
  for (const [query, want] of rows) {
    it(`?${query} → ${want}`, () => {
      const q = new URLSearchParams(query);
      assert.equal(queryOptionalBool(q, 'watch'), want);
      assert.equal(queryBool(q, 'watch'), want ?? false);
      assert.equal(watchRequested(`/api/v1/pods?${query}`), want ?? false);
    });
  }
  it('a target without a query is no watch', () => assert.equal(watchRequested('/api/v1/pods'), false));
});

describe('strconv.ParseBool and pretty', () => {
  it('accepts what Go accepts', () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(v), true, v);
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(v), false, v);
    for (const v of ['', 'yes', 'tRUE', '2']) assert.equal(parseGoBool(v), undefined, v);
  });
  const rows: [string, string, boolean][] = [
    ['pretty=true', 'kubectl/v1.32.0', true],
    ['pretty=1', '', true],
    ['pretty=yes', 'curl/8.5.0', false],
    ['pretty=false', 'curl/8.5.0', false],
    ['pretty=', 'curl/8.5.0', true],
    ['', 'curl/8.5.0', true],
    ['', 'Wget/1.21', true],
    ['', 'Mozilla/5.0 (X11)', true],
    ['', 'kubectl/v1.32.0', false],
    ['', 'python/3.12', false],
  ];
  for (const [query, ua, want] of rows) {
    it(`?${query} from ${ua || 'no user agent'} → ${want}`, () =>
      assert.equal(prettyRequested(query, new URLSearchParams(query), ua), want));
  }
});

describe('pod log options', () => {
  it('reads follow, previous and timestamps as the parameter codec does', () => {
    const out = logQuery(new URLSearchParams('follow=True&previous=False&timestamps=t'), 'web');
    assert.equal(out.toString(), 'follow=true&timestamps=true');
  });
});

describe('bookmark timing (cacheWatcher.nextBookmarkTime)', () => {
  const rows: [string, number, number, number | undefined][] = [
    ['a minute from now when the deadline is far', 0, 3_600_000, 60_000],
    ['2 s before a deadline within the minute', 0, 30_000, 28_000],
    ['at once when the deadline is 2 s away', 5_000, 7_000, 5_000],
    ['none when the deadline is under 2 s away', 5_000, 6_999, undefined],
    ['none past the deadline', 10_000, 9_000, undefined],
  ];
  for (const [name, now, deadline, want] of rows) {
    it(name, () => assert.equal(nextBookmarkAt(now, deadline, 60_000), want));
  }
});
