/**
 * Wire-level building blocks from apimachinery: the runtime.Unknown envelope,
 * and the types whose JSON form is not their message form (Time, MicroTime,
 * Quantity, IntOrString, RawExtension, FieldsV1). The notation is documented
 * in ../schema.ts.
 */
import type { PackageSource } from '../schema.js';

export const runtime: PackageSource = {
  name: 'runtime',
  messages: {
    TypeMeta: 'apiVersion:1:s kind:2:s',
    Unknown: 'typeMeta:1:TypeMeta raw:2:by contentEncoding:3:s contentType:4:s',
    // metav1.Time / MicroTime travel as a Timestamp.
    Time: 'seconds:1:i64 nanos:2:i32',
    MicroTime: 'seconds:1:i64 nanos:2:i32',
    Quantity: 'string:1:s',
    IntOrString: 'type:1:i64 intVal:2:i32 strVal:3:s',
    RawExtension: 'raw:1:by',
    FieldsV1: 'Raw:1:by',
  },
};
