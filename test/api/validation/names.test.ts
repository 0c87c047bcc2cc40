import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
  regexError,
  validateFullyQualifiedDomainName,
  validatePathSegmentName,
} from '../../../src/api/validation/names.js';
import { FieldPath } from '../../../src/k8s/field.js';
import {
  DNS1035_LABEL,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  LABEL_VALUE,
  PORT_RANGE,
  QNAME_NAME_PART,
  QNAME_TOO_MANY_SLASHES,
  strings,
} from './messages.js';

type Case = [input: string, want: string[]];

function table(name: string, fn: (s: string) => string[], cases: Case[]) {
  describe(name, () => {
    for (const [input, want] of cases) {
      it(JSON.stringify(input.length > 40 ? `${input.slice(0, 20)}…(${input.length})` : input), () =>
        assert.deepEqual(fn(input), want),
      );
    }
  });
}

table('isDNS1123Label', isDNS1123Label, [
  ['a', []],
  ['123-abc', []],
  ['a'.repeat(63), []],
  ['a'.repeat(64), ['must be no more than 63 characters']],
  ['a.b', ['must not contain dots']],
  ['', [DNS1123_LABEL]],
  ['-a', [DNS1123_LABEL]],
  ['a-', [DNS1123_LABEL]],
  ['A', [DNS1123_LABEL]],
  ['a_b', [DNS1123_LABEL]],
  [`${'a'.repeat(63)}-`, ['must be no more than 63 characters', DNS1123_LABEL]],
]);

table('isDNS1123Subdomain', isDNS1123Subdomain, [
  ['example.com', []],
  ['a-1.b-2', []],
  ['a..b', [DNS1123_SUBDOMAIN]],
  ['.a', [DNS1123_SUBDOMAIN]],
  ['Example.com', [DNS1123_SUBDOMAIN]],
  ['a'.repeat(253), []],
  ['a'.repeat(254), ['must be no more than 253 characters']],
]);

table('isDNS1035Label', isDNS1035Label, [
  ['my-name', []],
  ['1abc', [DNS1035_LABEL]],
  ['abc-', [DNS1035_LABEL]],
  ['a.b', [DNS1035_LABEL]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isQualifiedName', isQualifiedName, [
  ['app', []],
  ['App_Name.v1', []],
  ['example.com/MyName', []],
  ['kubernetes.io/service-name', []],
  ['', ['name part must be non-empty', QNAME_NAME_PART]],
  ['/name', ['prefix part must be non-empty']],
  ['example.com/', ['name part must be non-empty', QNAME_NAME_PART]],
  ['Example.com/name', [`prefix part ${DNS1123_SUBDOMAIN}`]],
  ['a/b/c', [QNAME_TOO_MANY_SLASHES]],
  ['-app', [QNAME_NAME_PART]],
  ['a'.repeat(64), ['name part must be no more than 63 characters']],
]);

table('isValidLabelValue', isValidLabelValue, [
  ['', []],
  ['my_value', []],
  ['12345', []],
  ['-x', [LABEL_VALUE]],
  ['a b', [LABEL_VALUE]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isValidPortName', isValidPortName, [
  ['http', []],
  ['h2-c', []],
  ['a'.repeat(16), ['must be no more than 15 characters']],
  [
    'HTTP',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
  ['1234', ['must contain at least one letter (a-z)']],
  ['a--b', ['must not contain consecutive hyphens']],
  ['-ab', ['must not begin or end with a hyphen']],
  ['ab-', ['must not begin or end with a hyphen']],
  [
    '',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
]);

describe('isValidPortNum', () => {
  for (const [n, want] of [
    [1, []],
    [65535, []],
    [0, [PORT_RANGE]],
    [65536, [PORT_RANGE]],
    [-1, [PORT_RANGE]],
  ] as [number, string[]][]) {
    it(String(n), () => assert.deepEqual(isValidPortNum(n), want));
  }
});

describe('regexError', () => {
  it('without examples', () =>
    assert.equal(regexError('bad', 'x+'), "bad (regex used for validation is 'x+')"));
  it('with examples, keeping the double space', () =>
    assert.equal(
      regexError('bad', 'x+', 'a', 'b'),
      "bad (e.g. 'a',  or 'b', regex used for validation is 'x+')",
    ));
});

describe('name validators', () => {
  const cases: [string, (n: string, p: boolean) => string[], string, boolean, string[]][] = [
    ['generateName may end in a dash', nameIsDNSSubdomain, 'web-', true, []],
    ['a name may not', nameIsDNSSubdomain, 'web-', false, [DNS1123_SUBDOMAIN]],
    ['generateName mask still checks the rest', nameIsDNS1035Label, 'Web-', true, [DNS1035_LABEL]],
    ['DNS-1035 generateName', nameIsDNS1035Label, 'svc-', true, []],
    ['path segment: dot', validatePathSegmentName, '.', false, ["may not be '.'"]],
    ['path segment: dot-dot', validatePathSegmentName, '..', false, ["may not be '..'"]],
    [
      'path segment: slash and percent',
      validatePathSegmentName,
      'a/%b',
      false,
      ["may not contain '/'", "may not contain '%'"],
    ],
    ['path segment prefix may be a dot', validatePathSegmentName, '.', true, []],
    ['path segment: event-like name', validatePathSegmentName, 'web.17a2b3c4d5e6f', false, []],
  ];
  for (const [name, fn, input, prefix, want] of cases)
    it(name, () => assert.deepEqual(fn(input, prefix), want));
});

describe('validateFullyQualifiedDomainName', () => {
  const p = FieldPath.root('endpoints').index(0).child('addresses').index(0);
  const cases: [string, string[]][] = [
    ['example.com', []],
    ['example.com.', []],
    ['', ['endpoints[0].addresses[0]: Required value']],
    [
      'localhost',
      [
        'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
      ],
    ],
    ['Example.com', [`endpoints[0].addresses[0]: Invalid value: "Example.com": ${DNS1123_SUBDOMAIN}`]],
    [
      `${'a'.repeat(64)}.com`,
      [`endpoints[0].addresses[0]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
    ],
  ];
  for (const [input, want] of cases)
    it(JSON.stringify(input.slice(0, 30)), () =>
      assert.deepEqual(strings(validateFullyQualifiedDomainName(input, p)), want),
    );
});
