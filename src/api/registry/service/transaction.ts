/**
 * Allocation transactions (upstream `storage/transaction.go` and
 * `portallocator/operation.go`). It is better to leak a value than to hand it
 * out twice, so values are taken at once and releases wait for the commit;
 * revert gives back only what this transaction took.
 */
import type { PortAllocator, PortRangeAllocator } from '../../../allocators/portallocator.js';

export interface Transaction {
  /** The write succeeded: perform deferred releases. */
  commit(): void;
  /** The write failed: give back what was taken. */
  revert(): void;
}

export const callbackTransaction = (commit: () => void, revert: () => void): Transaction => ({
  commit,
  revert,
});

/** Runs its parts in order on commit, in reverse on revert. */
export function metaTransaction(parts: readonly Transaction[]): Transaction {
  return {
    commit: () => {
      for (const t of parts) t.commit();
    },
    revert: () => {
      for (const t of [...parts].reverse()) t.revert();
    },
  };
}

/** Values a transaction holds while it is open, so leak checks leave them alone. */
export interface InFlight {
  ports: Map<number, number>;
  ips: Map<string, number>;
}

export const addInFlight = <K>(m: Map<K, number>, k: K): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

export const removeInFlight = <K>(m: Map<K, number>, k: K): void => {
  const n = (m.get(k) ?? 0) - 1;
  if (n > 0) m.set(k, n);
  else m.delete(k);
};

/**
 * One request's node port changes. In dry-run mode it checks against a
 * dry-run view and changes nothing.
 */
export class PortOperation {
  private readonly pa: PortAllocator;
  private readonly allocated: number[] = [];
  private readonly deferred: number[] = [];
  private finished = false;

  constructor(
    private readonly real: PortRangeAllocator,
    private readonly dryRun: boolean,
    private readonly inFlight: InFlight,
  ) {
    this.pa = dryRun ? real.dryRun() : real;
  }

  allocate(port: number): void {
    this.pa.allocate(port);
    this.took(port);
  }

  allocateNext(): number {
    const port = this.pa.allocateNext();
    this.took(port);
    return port;
  }

  /** Marks `port` to be released if the operation commits. */
  releaseDeferred(port: number): void {
    this.deferred.push(port);
    if (!this.dryRun) addInFlight(this.inFlight.ports, port);
  }

  commit(): void {
    if (this.finish()) for (const p of this.deferred) this.real.release(p);
  }

  revert(): void {
    if (this.finish()) for (const p of this.allocated) this.real.release(p);
  }

  private took(port: number): void {
    this.allocated.push(port);
    if (!this.dryRun) addInFlight(this.inFlight.ports, port);
  }

  /** True the first time: after that the operation is settled. */
  private finish(): boolean {
    if (this.finished) return false;
    this.finished = true;
    if (!this.dryRun) {
      for (const p of this.allocated) removeInFlight(this.inFlight.ports, p);
      for (const p of this.deferred) removeInFlight(this.inFlight.ports, p);
    }
    return !this.dryRun;
  }
}
