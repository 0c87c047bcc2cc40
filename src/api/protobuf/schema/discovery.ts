/**
 * discovery/v1 messages: EndpointSlice.
 * Field numbers, JSON names and Go shapes from upstream types.go (protobuf tags);
 * the notation is documented in ../schema.ts.
 */
import type { PackageSource } from '../schema.js';

export const discovery: PackageSource = {
  name: 'discovery',
  messages: {
    EndpointSlice: 'metadata:1:ObjectMeta addressType:4:s! endpoints:2:[]Endpoint ports:3:[]EndpointPort',
    Endpoint:
      'addresses:1:[]s conditions:2:EndpointConditions hostname:3:*s targetRef:4:*ObjectReference deprecatedTopology:5:{}s nodeName:6:*s zone:7:*s hints:8:*EndpointHints',
    EndpointConditions: 'ready:1:*b serving:2:*b terminating:3:*b',
    EndpointHints: 'forZones:1:[]ForZone forNodes:2:[]ForNode',
    ForZone: 'name:1:s!',
    ForNode: 'name:1:s!',
    EndpointPort: 'name:1:*s protocol:2:*s port:3:*i32 appProtocol:4:*s',
  },
};
