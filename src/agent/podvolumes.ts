/**
 * A pod's volumes on the node (kubelet's volume manager, for the kinds host
 * mode can serve): each configMap, secret, downwardAPI and projected volume
 * is written with the AtomicWriter layout under
 *
 *   <root-dir>/pods/<uid>/volumes/<plugin>/<volume>/
 *
 * (emptyDir: an empty directory there), and each container's volumeMount is a
 * symlink at its mount path under the pod's root (podfs.ts) to that
 * directory (or to its subPath). Setting up again rewrites a volume only when
 * its contents changed, so updates to a ConfigMap or Secret reach the files.
 */
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { writeAtomic } from './atomicwriter.js';
import { hostPath, podRoot, removePodDir } from './podfs.js';
import { VolumeSetupError, type VolumeSources, volumePayload, volumePluginDir } from './volumes.js';

export interface VolumeFailure {
  volume: string;
  message: string;
}

export class PodVolumes {
  constructor(
    /** kubelet's --root-dir; undefined: volumes are checked but not written (tests). */
    private readonly rootDir: string | undefined,
    private readonly uid: string,
  ) {}

  /** The directory that is `/` for the pod's containers, if volumes are written. */
  get root(): string | undefined {
    return this.rootDir ? podRoot(this.rootDir, this.uid) : undefined;
  }

  private volumeDir(plugin: string, name: string): string {
    return join(podRoot(this.rootDir!, this.uid), '..', 'volumes', plugin, name);
  }

  /**
   * Writes every volume of the pod; answers the failures (upstream's SetUp
   * errors), volume by volume. A volume that fails keeps its last contents.
   */
  setUp(pod: Pod, sources: VolumeSources, now: number): VolumeFailure[] {
    const failures: VolumeFailure[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      const plugin = volumePluginDir(v);
      if (!plugin) continue;
      try {
        const payload = volumePayload(v, pod, sources);
        if (!this.rootDir) continue;
        const dir = this.volumeDir(plugin, v.name);
        if (payload) writeAtomic(dir, payload, now);
        else mkdirSync(dir, { recursive: true, mode: 0o777 });
      } catch (err) {
        const message = err instanceof VolumeSetupError ? err.message : (err as Error).message;
        failures.push({ volume: v.name, message });
      }
    }
    return failures;
  }

  /** Links the container's volumeMounts into the pod's root (before it starts). */
  mount(pod: Pod, c: Container): void {
    if (!this.rootDir) return;
    const root = podRoot(this.rootDir, this.uid);
    const byName = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
    for (const m of c.volumeMounts ?? []) {
      const v = byName.get(m.name);
      const plugin = v && volumePluginDir(v);
      if (!plugin) continue;
      const target = m.subPath
        ? join(this.volumeDir(plugin, m.name), m.subPath)
        : this.volumeDir(plugin, m.name);
      const link = hostPath(root, m.mountPath);
      if (link === root) continue;
      let current: string | undefined;
      try {
        if (lstatSync(link).isSymbolicLink()) current = readlinkSync(link);
        else continue; // something real is there (another mount's contents): leave it
      } catch {}
      if (current === target) continue;
      if (current !== undefined) rmSync(link, { force: true });
      mkdirSync(dirname(link), { recursive: true, mode: 0o755 });
      symlinkSync(target, link);
    }
  }

  /** Removes the pod's directory: its root and volumes. */
  remove(): void {
    if (this.rootDir && this.uid) removePodDir(this.rootDir, this.uid);
  }
}
