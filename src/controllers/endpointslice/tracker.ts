/**
 * Guards against acting on a stale informer cache (upstream
 * k8s.io/endpointslice/util endpointslice_tracker.go): remembers, per
 * service, the generation of every slice this controller last wrote and the
 * slices it deleted. A sync whose cached slices are older than what we wrote,
 * still contain one we deleted, or miss one we created is deferred, so a
 * just-written slice is never overwritten from an old copy.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { LABEL_SERVICE_NAME } from './labels.js';

const DELETION_EXPECTED = -1;

const serviceKeyOf = (s: EndpointSlice) =>
  `${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ''}`;
const uidOf = (s: EndpointSlice) => s.metadata?.uid ?? '';
const genOf = (s: EndpointSlice) => s.metadata?.generation ?? 0;

export class EndpointSliceTracker {
  /** service key → slice uid → generation (or DELETION_EXPECTED). */
  private readonly byService = new Map<string, Map<string, number>>();
  private readonly serviceUIDs = new Map<string, string>();

  private gens(slice: EndpointSlice, create = false): Map<string, number> | undefined {
    const key = serviceKeyOf(slice);
    let g = this.byService.get(key);
    if (!g && create) {
      g = new Map();
      this.byService.set(key, g);
    }
    return g;
  }

  has(slice: EndpointSlice): boolean {
    return this.gens(slice)?.has(uidOf(slice)) ?? false;
  }

  /** True when the slice is unknown or newer than what we wrote (someone else changed it). */
  shouldSync(slice: EndpointSlice): boolean {
    const g = this.gens(slice)?.get(uidOf(slice));
    return g === undefined || genOf(slice) > g;
  }

  /**
   * True when the cache lags our writes for this service. A new service UID
   * (deleted and recreated) discards what was tracked for the old one.
   */
  staleSlices(
    svc: { metadata?: { namespace?: string; name?: string; uid?: string } },
    slices: readonly EndpointSlice[],
  ) {
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const uid = svc.metadata?.uid ?? '';
    const known = this.serviceUIDs.get(key);
    if (known && uid && known !== uid) this.byService.delete(key);
    this.serviceUIDs.set(key, uid);
    const gens = this.byService.get(key);
    if (!gens) return false;
    const provided = new Set<string>();
    for (const s of slices) {
      provided.add(uidOf(s));
      const g = gens.get(uidOf(s));
      if (g !== undefined && (g === DELETION_EXPECTED || g > genOf(s))) return true;
    }
    for (const [uid, g] of gens) if (g !== DELETION_EXPECTED && !provided.has(uid)) return true;
    return false;
  }

  /** Records a slice as written by us (the server's answer to create/update). */
  update(slice: EndpointSlice): void {
    this.gens(slice, true)!.set(uidOf(slice), genOf(slice));
  }

  expectDeletion(slice: EndpointSlice): void {
    this.gens(slice, true)!.set(uidOf(slice), DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; false when the deletion was not ours (a resync is due). */
  handleDeletion(slice: EndpointSlice): boolean {
    const gens = this.gens(slice);
    if (!gens) return true;
    const g = gens.get(uidOf(slice));
    gens.delete(uidOf(slice));
    return g === undefined || g === DELETION_EXPECTED;
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
    this.serviceUIDs.delete(`${namespace}/${name}`);
  }
}
