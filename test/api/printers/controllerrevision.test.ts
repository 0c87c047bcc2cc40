import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { controllerRevisionConvertor } from '../../../src/api/printers/workloads.js';
import { ago, DAY, NOW } from './helpers.js';

const cr = (
  ownerReferences?: NonNullable<ControllerRevision['metadata']>['ownerReferences'],
): ControllerRevision => ({
  metadata: { name: 'mysql-7d4b9c', creationTimestamp: ago(2 * DAY), ownerReferences },
  data: {},
  revision: 3,
});

describe('ControllerRevision rows', () => {
  it('columns: NAME CONTROLLER REVISION AGE', () => {
    assert.deepEqual(
      controllerRevisionConvertor.columns.map((c) => [c.name, c.type, c.format ?? '']),
      [
        ['Name', 'string', 'name'],
        ['Controller', 'string', ''],
        ['Revision', 'string', ''],
        ['Age', 'string', ''],
      ],
    );
  });
  const owner = (apiVersion: string, kind: string, controller?: boolean) => ({
    apiVersion,
    kind,
    name: 'mysql',
    uid: 'u',
    controller,
  });
  const cases: [string, ControllerRevision, string][] = [
    [
      'a StatefulSet controller prints kind.group/name',
      cr([owner('apps/v1', 'StatefulSet', true)]),
      'statefulset.apps/mysql',
    ],
    ['a core-group controller has no group', cr([owner('v1', 'Pod', true)]), 'pod/mysql'],
    ['owners that are not the controller do not count', cr([owner('apps/v1', 'StatefulSet')]), '<none>'],
    ['no owners', cr(), '<none>'],
  ];
  for (const [name, obj, controller] of cases)
    it(name, () => {
      assert.deepEqual(controllerRevisionConvertor.rows(obj, NOW), [['mysql-7d4b9c', controller, 3, '2d']]);
    });
});
