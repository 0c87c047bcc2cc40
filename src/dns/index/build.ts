/**
 * buildIndex: API objects in, a RecordIndex out. Pure: the same objects and
 * options always give the same answers; the server rebuilds (or swaps) the
 * index when its informers report a change.
 */
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Question, RecordIndex, ZoneAnswer } from '../types.js';
import { type IndexConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { qname, Resolver } from './lookup.js';
import { buildModel, type Model, type Problem } from './model.js';

export interface IndexInput {
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  namespaces: readonly Namespace[];
  /** Needed only with `pods: verified`. */
  pods?: readonly Pod[];
  /** Missing fields take CoreDNS's (kubeadm's, for pods) defaults. */
  config?: Partial<IndexConfig>;
}

/** Record counts, for metrics and status. */
export interface IndexStats {
  namespaces: number;
  services: number;
  clusterIP: number;
  headless: number;
  externalName: number;
  /** Ready endpoint addresses across all slices. */
  endpoints: number;
  /** Addresses with a PTR record (cluster IPs and ready endpoint addresses). */
  reverse: number;
  pods: number;
}

export class ClusterIndex implements RecordIndex {
  private readonly resolver: Resolver;

  constructor(
    readonly config: ResolvedConfig,
    private readonly model: Model,
  ) {
    this.resolver = new Resolver(config, model);
  }

  inZone(name: string): boolean {
    return qname(this.config, name) !== undefined;
  }

  lookup(q: Question): ZoneAnswer {
    try {
      return this.resolver.answer(q.name, q.type);
    } catch {
      // A bug must not take the server down; the client retries elsewhere.
      return { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] };
    }
  }

  /** Addresses left out because they do not parse (strictly, as CoreDNS's net.ParseIP), by object. */
  problems(): readonly Problem[] {
    return this.model.problems;
  }

  stats(): IndexStats {
    const s: IndexStats = {
      namespaces: this.model.namespaces.size,
      services: this.model.services.size,
      clusterIP: 0,
      headless: 0,
      externalName: 0,
      endpoints: this.model.readyAddresses,
      reverse: new Set([...this.model.serviceByIP.keys(), ...this.model.groupsByIP.keys()]).size,
      pods: this.model.pods.size,
    };
    for (const svc of this.model.services.values()) {
      if (svc.kind === 'ClusterIP') s.clusterIP++;
      else if (svc.kind === 'Headless') s.headless++;
      else s.externalName++;
    }
    return s;
  }
}

export function buildIndex(input: IndexInput): ClusterIndex {
  return new ClusterIndex(resolveConfig(input.config), buildModel(input));
}

export function indexStats(index: ClusterIndex): IndexStats {
  return index.stats();
}
