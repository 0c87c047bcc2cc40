/**
 * autoscaling/v1 messages: Scale (the scale subresource).
 * Field numbers, JSON names and Go shapes from upstream types.go (protobuf tags);
 * the notation is documented in ../schema.ts.
 */
import type { PackageSource } from '../schema.js';

export const autoscaling: PackageSource = {
  name: 'autoscaling',
  messages: {
    Scale: 'metadata:1:ObjectMeta spec:2:ScaleSpec status:3:ScaleStatus',
    ScaleSpec: 'replicas:1:i32',
    ScaleStatus: 'replicas:1:i32! selector:2:s',
  },
};
