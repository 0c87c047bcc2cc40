/**
 * The namespace controller's deletion half (upstream
 * pkg/controller/namespace/deletion): when a namespace is marked for
 * deletion, delete everything in it, wait until it is empty, then remove the
 * `kubernetes` finalizer through /finalize so the namespace itself goes.
 *
 * It runs inside the API server process for now, over the registries' own
 * interface (list, deleteCollection, finalize update); the logic is the
 * upstream controller's, only the transport differs.
 */
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { FINALIZER_KUBERNETES } from '../api/registry/namespace.js';
import { type Registry, timestamp } from '../api/storage/registry.js';
import type { Logger } from '../lib/log.js';

export class NamespaceController {
  private readonly pending = new Set<string>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private watch?: { close(): void };

  constructor(
    private readonly namespaces: Registry,
    /** Every namespaced resource whose content a namespace deletion removes. */
    private readonly contents: () => Registry[],
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {}

  start(): void {
    this.watch = this.namespaces.watch(
      '',
      {},
      {
        onEvent: (e) => {
          if (e.type === 'BOOKMARK' || e.type === 'DELETED') return;
          const ns = e.object.obj as Namespace;
          if (ns.metadata?.deletionTimestamp) this.enqueue(ns.metadata.name!);
        },
        onError: (err) => this.log.error(err, 'Namespace watch failed'),
        onEnd: () => {},
      },
    );
  }

  stop(): void {
    this.watch?.close();
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
  }

  private enqueue(name: string): void {
    this.pending.add(name);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.size) {
        const [name] = this.pending;
        this.pending.delete(name!);
        const done = await this.sync(name!).catch((err) => {
          this.log.error(err, 'Namespace deletion failed; will retry', { namespace: name });
          return false;
        });
        if (!done) {
          // Content with finalizers of its own takes time to go: look again shortly.
          this.timer = setTimeout(() => this.enqueue(name!), this.retryMs);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** One pass: true when the namespace is finalized (or gone). */
  private async sync(name: string): Promise<boolean> {
    const cached = this.namespaces.peek('', name);
    const ns = cached?.obj as Namespace | undefined;
    if (!ns?.metadata?.deletionTimestamp) return true;
    if (!ns.spec?.finalizers?.includes(FINALIZER_KUBERNETES)) return true;
    let remaining = 0;
    const byResource = new Map<string, number>();
    const byFinalizer = new Map<string, number>();
    for (const r of this.contents()) {
      await r.deleteCollection(name, {});
      const { items } = await r.list(name, {});
      remaining += items.length;
      if (items.length) byResource.set(`${r.info.resource}.${r.info.group}`, items.length);
      for (const i of items)
        for (const f of i.obj.metadata?.finalizers ?? []) byFinalizer.set(f, (byFinalizer.get(f) ?? 0) + 1);
    }
    await this.writeConditions(name, deletionConditions(byResource, byFinalizer));
    if (remaining > 0) {
      this.log.v(2).info('Namespace content remaining', { namespace: name, remaining });
      return false;
    }
    await this.namespaces.update(
      '',
      name,
      (current) => {
        const n = current as Namespace;
        const finalizers = (n.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES);
        return { ...n, spec: { ...n.spec, finalizers } };
      },
      { subresource: 'finalize' },
    );
    this.log.info('Namespace finalized', { namespace: name });
    return true;
  }

  /** Writes the deletion conditions through /status when they changed (keeping transition times). */
  private async writeConditions(name: string, wanted: NamespaceCondition[]): Promise<void> {
    const current = (this.namespaces.peek('', name)?.obj as Namespace | undefined)?.status?.conditions ?? [];
    const same = (a: NamespaceCondition, b?: NamespaceCondition) =>
      !!b && a.status === b.status && a.reason === b.reason && a.message === b.message;
    if (
      wanted.every((w) =>
        same(
          w,
          current.find((c) => c.type === w.type),
        ),
      )
    )
      return;
    const now = timestamp();
    await this.namespaces.update(
      '',
      name,
      (cur) => {
        const n = cur as Namespace;
        const old = n.status?.conditions ?? [];
        const conditions = wanted.map((w) => {
          const prev = old.find((c) => c.type === w.type);
          return same(w, prev) ? prev! : { ...w, lastTransitionTime: now };
        });
        const others = old.filter((c) => !wanted.some((w) => w.type === c.type));
        return { ...n, status: { ...n.status, conditions: [...others, ...conditions] } };
      },
      { subresource: 'status' },
    );
  }
}

/**
 * Upstream's namespace deletion conditions (deletion/status_condition_utils.go):
 * what remains by resource (`services.` for the core group) and by finalizer.
 */
export function deletionConditions(
  remainingByResource: ReadonlyMap<string, number>,
  remainingByFinalizer: ReadonlyMap<string, number>,
): NamespaceCondition[] {
  const list = (m: ReadonlyMap<string, number>, fmt: (k: string, n: number) => string) =>
    [...m]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, n]) => fmt(k, n))
      .join(', ');
  return [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    {
      type: 'NamespaceDeletionContentFailure',
      status: 'False',
      reason: 'ContentDeleted',
      message: 'All content successfully deleted, may be waiting on finalization',
    },
    remainingByResource.size
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${list(remainingByResource, (r, n) => `${r} has ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        },
    remainingByFinalizer.size
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${list(remainingByFinalizer, (f, n) => `${f} in ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
}
