/**
 * The service account controller (upstream pkg/controller/serviceaccount,
 * `serviceaccount-controller`): every active namespace has a `default`
 * ServiceAccount; one that is deleted is created again. Namespaces being
 * deleted are left alone (the API server would refuse the write anyway).
 */
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { ApiError, isAlreadyExists, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Namespaces, ServiceAccounts } from '../../client/resources.js';
import type { Informer } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../lib/log.js';

/** `--service-account-names`' default upstream. */
export const DEFAULT_SERVICE_ACCOUNTS: readonly string[] = ['default'];

export interface ServiceAccountControllerOptions {
  names?: readonly string[];
  workers?: number;
}

/** What a namespace lacks: the managed names it has no ServiceAccount for (empty unless it is active). */
export function missingServiceAccounts(
  ns: Namespace | undefined,
  has: (name: string) => boolean,
  names: readonly string[],
): string[] {
  if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return [];
  return names.filter((n) => !has(n));
}

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount-controller';
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  private readonly names: readonly string[];

  constructor(
    private readonly ctx: ControllerContext,
    opts: ServiceAccountControllerOptions = {},
  ) {
    this.log = ctx.log.named(this.name);
    this.names = opts.names ?? DEFAULT_SERVICE_ACCOUNTS;
    this.queue = new WorkQueue(
      'serviceaccount',
      (ns) => this.sync(ns),
      { concurrency: opts.workers ?? 1 },
      this.log,
    );
    this.namespaces = ctx.informers.informer<Namespace>(Namespaces);
    this.accounts = ctx.informers.informer<ServiceAccount>(ServiceAccounts);
    const enqueueNs = (ns: Namespace) => this.queue.add(ns.metadata?.name ?? '');
    this.namespaces.addHandlers({ add: enqueueNs, update: (_o, ns) => enqueueNs(ns) });
    this.accounts.addHandlers({
      // A managed account went (or was replaced): its namespace may need it back.
      delete: (sa) => {
        if (this.names.includes(sa.metadata?.name ?? '')) this.queue.add(sa.metadata?.namespace ?? '');
      },
      update: (_o, sa) => {
        if (sa.metadata?.deletionTimestamp) this.queue.add(sa.metadata?.namespace ?? '');
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.namespaces.synced(), this.accounts.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    const missing = missingServiceAccounts(
      ns,
      (name) => this.accounts.get(`${namespace}/${name}`) !== undefined,
      this.names,
    );
    for (const name of missing) {
      try {
        await this.ctx.client.create<ServiceAccount>(ServiceAccounts, namespace, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace },
        });
        this.log.v(2).info('Created service account', { namespace, name });
      } catch (err) {
        // Already there (our cache lags), or the namespace is gone or terminating: nothing to do.
        if (isAlreadyExists(err) || isNotFound(err)) continue;
        if (err instanceof ApiError && err.reason === 'Forbidden') continue;
        throw err;
      }
    }
  }
}
