/**
 * Deployment, ReplicaSet, StatefulSet, DaemonSet and ReplicationController rows:
 * upstream printDeployment / printReplicaSet / printStatefulSet / printDaemonSet /
 * printReplicationController.
 */
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from 'kubernetes-types/apps/v1.js';
import type { Container, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import { formatLabelSelector, formatLabels, labelSelectorString } from './labels.js';
import type { TableConvertor } from './types.js';

/** layoutContainerCells: container names and images, each comma-joined. */
function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

const CONTAINERS_COLUMN = column('Containers', 'string', DOC.containers, { priority: 1 });
const IMAGES_COLUMN = column('Images', 'string', DOC.images, { priority: 1 });

export const deploymentConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', DOC.readyPods),
    column('Up-to-date', 'string', DOC.deploymentUpdatedReplicas),
    column('Available', 'string', DOC.deploymentAvailableReplicas),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', DOC.deploymentSelector, { priority: 1 }),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const d = obj as Deployment;
    const status = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // Unlike ReplicaSet, upstream prints the raw selector string here: '' when empty.
    const selector = labelSelectorString(d.spec?.selector) ?? '<invalid>';
    return [
      [
        d.metadata?.name ?? '',
        `${status.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        status.updatedReplicas ?? 0,
        status.availableReplicas ?? 0,
        translateTimestampSince(d.metadata?.creationTimestamp, now),
        names,
        images,
        selector,
      ],
    ];
  },
};

/**
 * printReplicaSet and printReplicationController: NAME DESIRED CURRENT READY
 * AGE, the same columns; only the selector differs (a LabelSelector, a label map).
 */
function replicasConvertor<T extends ReplicaSet | ReplicationController>(
  selector: (o: T) => string,
): TableConvertor {
  return {
    columns: [
      NAME_COLUMN,
      column('Desired', 'integer', DOC.replicaSetReplicas),
      column('Current', 'integer', DOC.replicaSetStatusReplicas),
      column('Ready', 'integer', DOC.replicaSetReadyReplicas),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column('Selector', 'string', DOC.replicaSetSelector, { priority: 1 }),
    ],
    rows(obj: KubeObject, now: Date): unknown[][] {
      const o = obj as T;
      const [names, images] = containerCells(o.spec?.template?.spec?.containers);
      return [
        [
          o.metadata?.name ?? '',
          o.spec?.replicas ?? 0,
          o.status?.replicas ?? 0,
          o.status?.readyReplicas ?? 0,
          translateTimestampSince(o.metadata?.creationTimestamp, now),
          names,
          images,
          selector(o),
        ],
      ];
    },
  };
}

export const replicaSetConvertor = replicasConvertor<ReplicaSet>((rs) =>
  formatLabelSelector(rs.spec?.selector),
);

export const replicationControllerConvertor = replicasConvertor<ReplicationController>((rc) =>
  formatLabels(rc.spec?.selector),
);

export const statefulSetConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', DOC.readyPods),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ss = obj as StatefulSet;
    const [names, images] = containerCells(ss.spec?.template?.spec?.containers);
    return [
      [
        ss.metadata?.name ?? '',
        `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}`,
        translateTimestampSince(ss.metadata?.creationTimestamp, now),
        names,
        images,
      ],
    ];
  },
};

/** The controlling owner as upstream's formatResourceName prints it: `statefulset.apps/web`. */
function controllerName(refs: OwnerReference[] | undefined): string {
  const ref = refs?.find((r) => r.controller);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

/** printControllerRevision: NAME CONTROLLER REVISION AGE. */
export const controllerRevisionConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    AGE_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const cr = obj as ControllerRevision;
    return [
      [
        cr.metadata?.name ?? '',
        controllerName(cr.metadata?.ownerReferences),
        cr.revision ?? 0,
        translateTimestampSince(cr.metadata?.creationTimestamp, now),
      ],
    ];
  },
};

/** printDaemonSet: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE. */
export const daemonSetConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column(
      'Desired',
      'integer',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
    ),
    column(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
    ),
    column(
      'Ready',
      'integer',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
    ),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    column(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column(
      'Selector',
      'string',
      "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
      { priority: 1 },
    ),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ds = obj as DaemonSet;
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      [
        ds.metadata?.name ?? '',
        st?.desiredNumberScheduled ?? 0,
        st?.currentNumberScheduled ?? 0,
        st?.numberReady ?? 0,
        st?.updatedNumberScheduled ?? 0,
        st?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        translateTimestampSince(ds.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ],
    ];
  },
};
