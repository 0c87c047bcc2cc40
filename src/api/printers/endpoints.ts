/** Endpoints and EndpointSlice rows: upstream printEndpoints / printEndpointSlice. */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type {
  EndpointPort,
  EndpointSlice,
  Endpoint as SliceEndpoint,
} from 'kubernetes-types/discovery/v1.js';
import { joinHostPort } from '../../k8s/ip.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import type { TableConvertor } from './types.js';

/** How many entries a cell lists before ` + N more...`. */
const MAX_LISTED = 3;

/**
 * upstream formatEndpoints (ports = all): `ip:port` for every ready address and
 * port, at most three, then ` + N more...`; bare IPs for a subset without ports.
 */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(addr.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(joinHostPort(addr.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX_LISTED} more...` : ret;
}

/** upstream listWithMoreString: like formatEndpoints, but `<unset>` when empty. */
function listWithMore(list: string[], more: boolean, count: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - MAX_LISTED} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** Port numbers, else port names, else `*` (all ports). */
export function formatSlicePorts(ports: EndpointPort[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of ports ?? []) {
    if (list.length < MAX_LISTED) {
      if (port.port !== undefined && port.port !== null) list.push(String(port.port));
      else if (port.name !== undefined && port.name !== null) list.push(port.name);
      else list.push('*');
    } else if (list.length === MAX_LISTED) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count);
}

/** Every address of every endpoint, whatever its conditions. */
export function formatSliceEndpoints(endpoints: SliceEndpoint[] | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of endpoints ?? []) {
    for (const address of ep.addresses ?? []) {
      if (list.length < MAX_LISTED) list.push(address);
      else if (list.length === MAX_LISTED) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count);
}

export const endpointsConvertor: TableConvertor = {
  columns: [NAME_COLUMN, column('Endpoints', 'string', DOC.endpointsSubsets), AGE_COLUMN],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ep = obj as Endpoints;
    return [
      [
        ep.metadata?.name ?? '',
        formatEndpoints(ep),
        translateTimestampSince(ep.metadata?.creationTimestamp, now),
      ],
    ];
  },
};

export const endpointSliceConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'string', DOC.sliceAddressType),
    column('Ports', 'string', DOC.slicePorts),
    column('Endpoints', 'string', DOC.sliceEndpoints),
    AGE_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const slice = obj as EndpointSlice;
    return [
      [
        slice.metadata?.name ?? '',
        slice.addressType ?? '',
        formatSlicePorts(slice.ports),
        formatSliceEndpoints(slice.endpoints),
        translateTimestampSince(slice.metadata?.creationTimestamp, now),
      ],
    ];
  },
};
