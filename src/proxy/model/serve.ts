/** Which Services (and EndpointSlices) this proxy serves, as kube-proxy decides it. */
import type { Service } from 'kubernetes-types/core/v1.js';
import { LABEL_HEADLESS, LABEL_SERVICE_PROXY_NAME } from './names.js';

/**
 * kube-proxy watches with `!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless`.
 * With a proxyName of our own, services labelled with that name are served too (and those
 * labelled for any other proxy are still left alone). Slices carry the same labels.
 */
export function servesLabels(labels: Record<string, string> | undefined, proxyName?: string): boolean {
  if (!labels) return true;
  if (LABEL_HEADLESS in labels) return false;
  if (LABEL_SERVICE_PROXY_NAME in labels) {
    return proxyName !== undefined && proxyName !== '' && labels[LABEL_SERVICE_PROXY_NAME] === proxyName;
  }
  return true;
}

/**
 * Why a service is not proxied at all, or undefined when it is
 * (upstream's label selector plus proxyutil.ShouldSkipService).
 */
export function skipReason(svc: Service, proxyName?: string): string | undefined {
  const labels = svc.metadata?.labels;
  if (labels && LABEL_HEADLESS in labels) return 'labelled headless';
  if (!servesLabels(labels, proxyName)) return 'served by another proxy';
  if (svc.spec?.type === 'ExternalName') return 'ExternalName';
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return 'headless';
  return undefined;
}
