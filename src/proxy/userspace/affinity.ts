/**
 * ClientIP session affinity for one service port, as iptables' `recent`
 * match does it: a client's entry records the endpoint and when it was last
 * used; a new connection within timeoutSeconds of that goes to the same
 * endpoint if it is still among the current ones, and refreshes the entry.
 */
import type { Endpoint } from '../model/types.js';
import { endpointKey } from './schedulers.js';

interface Entry {
  endpoint: string;
  lastUsed: number;
}

export class AffinityTable {
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;

  constructor(
    public timeoutSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** The endpoint the client is bound to, when still current and not expired. */
  lookup(clientIp: string, endpoints: readonly Endpoint[]): Endpoint | undefined {
    const e = this.entries.get(clientIp);
    if (!e) return undefined;
    if (this.expired(e)) {
      this.entries.delete(clientIp);
      return undefined;
    }
    return endpoints.find((ep) => endpointKey(ep) === e.endpoint);
  }

  /** Records (or refreshes) the client's endpoint; expired entries are swept now and then. */
  record(clientIp: string, ep: Endpoint): void {
    const t = this.now();
    this.entries.set(clientIp, { endpoint: endpointKey(ep), lastUsed: t });
    if (t - this.lastSweep >= this.timeoutSeconds * 1000) {
      this.lastSweep = t;
      for (const [ip, e] of this.entries) if (this.expired(e)) this.entries.delete(ip);
    }
  }

  /** Drops a client's entry (its endpoint failed). */
  forget(clientIp: string): void {
    this.entries.delete(clientIp);
  }

  get size(): number {
    return this.entries.size;
  }

  private expired(e: Entry): boolean {
    return this.now() - e.lastUsed > this.timeoutSeconds * 1000;
  }
}
