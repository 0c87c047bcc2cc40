/**
 * IP family defaulting for Services (upstream `storage/alloc.go`
 * initIPFamilyFields): ipFamilyPolicy and ipFamilies from the request, the
 * stored object and the cluster's configured families.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { type FieldError, fieldErrors } from '../../../k8s/field.js';
import { type IPFamily, ipFamilyOf, otherFamily } from '../../../k8s/ip.js';
import { validateServiceClusterIPsRelatedFields } from '../../validation/service.js';
import { hasSelector, invalid } from './apierrors.js';
import { sameClusterIPList, sameIPFamilyList, specOf } from './fields.js';

/** What family defaulting needs to know about the cluster. */
export interface ClusterFamilies {
  readonly primaryFamily: IPFamily;
  readonly ipAllocators: ReadonlyMap<IPFamily, unknown>;
  readonly dualStack: boolean;
}

/**
 * Defaults ipFamilyPolicy and ipFamilies from the request, the old object
 * and the cluster's families, and rejects what the cluster cannot satisfy.
 * Runs on dry runs too, so its results are visible.
 */
export function initIPFamilyFields(
  after: Service,
  before: Service | undefined,
  cluster: ClusterFamilies,
): void {
  const spec = specOf(after);
  if (spec.type === 'ExternalName') return;
  // A PreferDualStack service only changes stack on an explicit policy change.
  if (isMatchingPreferDualStack(after, before)) return;

  if (spec.ipFamilyPolicy === undefined) {
    if (before?.spec?.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = before.spec.ipFamilyPolicy;
    // Headless without selector: endpoints may be of any family (#104986).
    else if (spec.clusterIP === 'None' && !hasSelector(after)) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  // Loose pre-validation, so the rest may trust the IP fields (upstream does the same).
  const pre = validateServiceClusterIPsRelatedFields(after, before);
  if (pre.length > 0) throw invalid(after, pre);

  const policy = spec.ipFamilyPolicy;
  const errs: FieldError[] = [];
  if (before) {
    if (policy === 'SingleStack') {
      // Same IPs and families plus SingleStack is a clear request to drop the secondary.
      if (sameClusterIPList(before, after) && (spec.clusterIPs?.length ?? 0) > 1) {
        spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
      }
      if (sameIPFamilyList(before, after) && (spec.ipFamilies?.length ?? 0) > 1) {
        spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
      }
    } else {
      if (reduced(spec.clusterIPs, before.spec?.clusterIPs)) {
        errs.push(
          fieldErrors.invalid(
            'spec.ipFamilyPolicy',
            policy,
            "must be 'SingleStack' to release the secondary cluster IP",
          ),
        );
      }
      if (reduced(spec.ipFamilies, before.spec?.ipFamilies)) {
        errs.push(
          fieldErrors.invalid(
            'spec.ipFamilyPolicy',
            policy,
            "must be 'SingleStack' to release the secondary IP family",
          ),
        );
      }
    }
  }

  if (policy === 'SingleStack') {
    if (spec.clusterIPs?.length === 2) {
      errs.push(
        fieldErrors.invalid(
          'spec.ipFamilyPolicy',
          policy,
          "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
        ),
      );
    }
    if (spec.ipFamilies?.length === 2) {
      errs.push(
        fieldErrors.invalid(
          'spec.ipFamilyPolicy',
          policy,
          "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
        ),
      );
    }
  }

  // Infer ipFamilies from clusterIPs (pre-validation made them valid and consistent).
  const clusterIPs = spec.clusterIPs ?? [];
  for (let i = 0; i < clusterIPs.length; i++) {
    const ip = clusterIPs[i]!;
    if (ip === 'None') break;
    const fam = ipFamilyOf(ip)!;
    if (i >= (spec.ipFamilies?.length ?? 0)) {
      if (!cluster.ipAllocators.has(fam)) {
        errs.push(
          fieldErrors.invalid(
            `spec.clusterIPs[${i}]`,
            clusterIPs,
            `${fam} is not configured on this cluster`,
          ),
        );
      } else {
        spec.ipFamilies = [...(spec.ipFamilies ?? []), fam];
      }
    }
  }
  if (errs.length > 0) throw invalid(after, errs);

  // Headless without selector may carry families the cluster lacks.
  if (spec.clusterIP === 'None' && !hasSelector(after)) {
    if (!spec.ipFamilies?.length) spec.ipFamilies = [cluster.primaryFamily];
    if (spec.ipFamilies.length < 2 && policy !== 'SingleStack') {
      spec.ipFamilies = [...spec.ipFamilies, otherFamily(spec.ipFamilies[0] as IPFamily)];
    }
    return;
  }

  if (policy === 'RequireDualStack' && !cluster.dualStack) {
    errs.push(
      fieldErrors.invalid(
        'spec.ipFamilyPolicy',
        policy,
        'this cluster is not configured for dual-stack services',
      ),
    );
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!cluster.ipAllocators.has(f as IPFamily)) {
      errs.push(fieldErrors.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
    }
  });
  if (errs.length > 0) throw invalid(after, errs);

  if (!spec.ipFamilies?.length) spec.ipFamilies = [cluster.primaryFamily];
  if (policy !== 'SingleStack' && spec.ipFamilies.length === 1 && cluster.dualStack) {
    spec.ipFamilies = [...spec.ipFamilies, otherFamily(spec.ipFamilies[0] as IPFamily)];
  }
}

/** Non-empty and shorter than before. */
const reduced = (now: readonly string[] | undefined, was: readonly string[] | undefined): boolean =>
  (now?.length ?? 0) > 0 && now!.length < (was?.length ?? 0);

/** Both PreferDualStack, same type needing IPs, same IPs and families: stack stays as it is. */
export function isMatchingPreferDualStack(after: Service, before: Service | undefined): boolean {
  if (!before) return false;
  const spec = after.spec ?? {};
  const old = before.spec ?? {};
  if (spec.ipFamilyPolicy === undefined) return false;
  if (old.type !== spec.type) return false;
  if (spec.type !== 'ClusterIP' && spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') return false;
  if (spec.ipFamilyPolicy !== 'PreferDualStack') return false;
  if (old.ipFamilyPolicy !== undefined && old.ipFamilyPolicy !== 'PreferDualStack') return false;
  return sameClusterIPList(before, after) && sameIPFamilyList(before, after);
}
