/**
 * The pod IPs the agent gave, written down in its root dir the way the
 * host-local IPAM plugin keeps them (/var/lib/cni/networks/<net>/<ip>): one
 * file per address, named by it, saying which pod holds it. A record is
 * written before the address is used, so an agent killed before the pod's
 * status said the IP still knows it when it starts again. The API's pod
 * status stays the source of truth; records only fill in where it is silent.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalIP } from '../k8s/ip.js';
import type { Logger } from '../lib/log.js';
import type { PodIPRecordSink } from './ipam.js';

export interface PodIPRecord {
  ip: string;
  /** The pod's UID. */
  uid: string;
  /** namespace/name, for people reading the directory. */
  pod: string;
}

export class PodIPRecords implements PodIPRecordSink {
  constructor(
    private readonly dir: string,
    private readonly log?: Logger,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Every readable record; anything else in the directory is skipped (and named in the log). */
  load(): PodIPRecord[] {
    const out: PodIPRecord[] = [];
    for (const f of readdirSync(this.dir)) {
      // Only the agent's own files: named by an address, canonical (temporary files start with a dot).
      const ip = f;
      if (canonicalIP(f) !== f) continue;
      try {
        const r = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as Partial<PodIPRecord>;
        if (typeof r.uid !== 'string' || !r.uid) throw new Error('no pod UID');
        out.push({ ip, uid: r.uid, pod: typeof r.pod === 'string' ? r.pod : '' });
      } catch (err) {
        this.log?.warn('Skipping an unreadable pod IP record', { file: f, err: String(err) });
      }
    }
    return out;
  }

  put(ip: string, uid: string, pod: string): void {
    const tmp = join(this.dir, `.${ip}.tmp`);
    try {
      // Renamed into place: a reader never sees half a record.
      writeFileSync(tmp, JSON.stringify({ uid, pod }));
      renameSync(tmp, join(this.dir, ip));
    } catch (err) {
      // The pod's status still says its IP; only an agent killed before that is written loses it.
      this.log?.error(err, 'Could not record a pod IP', { ip, pod });
    }
  }

  remove(ip: string, uid: string): void {
    const path = join(this.dir, ip);
    try {
      const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<PodIPRecord>;
      if (r.uid !== uid) return;
    } catch {
      // Unreadable or gone: nothing of this pod's to keep.
    }
    rmSync(path, { force: true });
  }

  /** Removes the records `keep` says no to (pods gone while the agent was down, addresses not claimed). */
  prune(keep: (r: PodIPRecord) => boolean): void {
    for (const r of this.load()) if (!keep(r)) rmSync(join(this.dir, r.ip), { force: true });
  }
}
