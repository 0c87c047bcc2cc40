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
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { FINALIZER_KUBERNETES } from '../api/registry/namespace.js';
import type { Registry } from '../api/storage/registry.js';
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
    for (const r of this.contents()) {
      await r.deleteCollection(name, {});
      remaining += (await r.list(name, {})).items.length;
    }
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
}
