/**
 * Lifecycle hooks (preStop here; postStart is not run): exec as a local
 * process with the container's environment, httpGet against the pod, or
 * sleep. Answers an error message kubelet would put in a
 * FailedPreStopHook event, or undefined on success.
 */
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { errText } from '../lib/errors.js';
import { execProbe, httpProbe, type ProbeTarget } from './probecheck.js';

export async function runHook(
  handler: LifecycleHandler,
  target: ProbeTarget,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<string | undefined> {
  try {
    if (handler.exec) {
      const cmd = handler.exec.command ?? [];
      const out = await execProbe(cmd, target.env, timeoutMs);
      if (out.result === 'success') return undefined;
      return `Exec lifecycle hook (${JSON.stringify(cmd)}) for Container "${target.container.name}" failed - error: ${out.output}`;
    }
    if (handler.httpGet) {
      const out = await httpProbe(handler.httpGet, target, timeoutMs);
      if (out.result === 'success') return undefined;
      return `HTTP lifecycle hook (${handler.httpGet.path ?? '/'}) for Container "${target.container.name}" failed - error: ${out.output}`;
    }
    if (handler.sleep) {
      await sleep(Math.min(handler.sleep.seconds * 1000, timeoutMs));
      return undefined;
    }
    return undefined;
  } catch (err) {
    return errText(err);
  }
}
