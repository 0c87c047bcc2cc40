/**
 * What a resource contributes to the generic registry: defaults, validation,
 * and hooks around writes. It mirrors upstream's RESTCreateStrategy /
 * RESTUpdateStrategy plus the generic store's BeginCreate / BeginUpdate /
 * AfterDelete hooks, and is called in upstream's order:
 *
 * create: defaults(body) → beginCreate → prepareForCreate → (metadata system
 *   fields) → validate → canonicalize → persist (unless dry run) → finish(ok)
 * update: defaults(body) → beginUpdate(new, old) → prepareForUpdate(new, old)
 *   → validateUpdate(new, old) → canonicalize → persist (CAS) → finish(ok)
 * delete: persist → afterDelete (not on dry run)
 *
 * A hook that throws a StatusError aborts the write; `finish(false)` is then
 * called on every hook that already began, so allocations are released.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../../k8s/field.js';

/** Any API object: the fields every kind has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface WriteContext {
  /** `dryRun=All`: do everything but persist; allocators only check. */
  dryRun: boolean;
  /** The namespace from the request path ('' for cluster-scoped). */
  namespace: string;
}

/** Completes a write that began: `ok` false undoes its side effects. */
export type FinishFunc = (ok: boolean) => void;

export interface Strategy<T extends KubeObject = KubeObject> {
  /** SetDefaults_<Kind>: applied to every decoded body, on create and on update. */
  defaults?(obj: T): void;

  /** Before validation on create: e.g. allocate cluster IPs and node ports. */
  beginCreate?(obj: T, ctx: WriteContext): FinishFunc | Promise<FinishFunc>;
  /** Clears what a client may not set on create (status, generation...). */
  prepareForCreate?(obj: T): void;
  /** Full validation of a new object, metadata included. */
  validate(obj: T): FieldError[];

  /** Before validation on update: e.g. keep allocated values, allocate/release on type change. */
  beginUpdate?(obj: T, old: T, ctx: WriteContext): FinishFunc | Promise<FinishFunc>;
  /** Copies what a client may not change through this endpoint (status from old, ...). */
  prepareForUpdate?(obj: T, old: T): void;
  /** Validation of an update, immutability included. */
  validateUpdate(obj: T, old: T): FieldError[];

  /** Normalises a valid object before it is stored. */
  canonicalize?(obj: T): void;

  /** After a committed (non-dry-run) delete: e.g. release allocations. */
  afterDelete?(obj: T): void | Promise<void>;

  /**
   * The strategy of the `/status` subresource, when the kind has one: only
   * status may change through it (prepareForUpdate copies everything else from old).
   */
  status?: {
    prepareForUpdate(obj: T, old: T): void;
    validateUpdate(obj: T, old: T): FieldError[];
  };

  /** The strategy of a namespace's `/finalize` subresource: only spec.finalizers may change. */
  finalize?: {
    prepareForUpdate(obj: T, old: T): void;
    validateUpdate(obj: T, old: T): FieldError[];
  };

  /**
   * Graceful deletion (upstream RESTGracefulDeleteStrategy.CheckGracefulDelete):
   * the grace period in seconds this delete gets (0 = now), given the
   * request's gracePeriodSeconds. Kinds without it are deleted at once.
   */
  checkGracefulDelete?(obj: T, options: { gracePeriodSeconds?: number }): number;

  /** Whether metadata.generation tracks changes of everything but metadata and status. */
  tracksGeneration?: boolean;

  /** A DELETE without a propagation policy orphans dependents (batch/v1 Jobs), instead of background. */
  defaultOrphanDependents?: boolean;
}
