/** IP family and CIDR helpers for the model (node:net only). */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type IPFamily = 'IPv4' | 'IPv6';

export function ipFamilyOf(ip: string): IPFamily | undefined {
  if (isIPv4(ip)) return 'IPv4';
  if (isIPv6(ip)) return 'IPv6';
  return undefined;
}

/** `ip:port`, with brackets for IPv6, as Go's net.JoinHostPort (upstream's Endpoint.String()). */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Parses `a.b.c.d/n` or `x::/n`; undefined when it is not a CIDR. */
export function parseCIDR(cidr: string): { ip: string; prefix: number; family: IPFamily } | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const ip = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const family = ipFamilyOf(ip);
  if (!family || !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (family === 'IPv4' ? 32 : 128)) return undefined;
  return { ip, prefix, family };
}

/** Whether `ip` lies in any of `cidrs` (unparsable entries ignored). */
export function inAnyCIDR(ip: string, cidrs: readonly string[]): boolean {
  const family = ipFamilyOf(ip);
  if (!family) return false;
  const list = new BlockList();
  let any = false;
  for (const c of cidrs) {
    const p = parseCIDR(c);
    if (!p || p.family !== family) continue;
    list.addSubnet(p.ip, p.prefix, family === 'IPv4' ? 'ipv4' : 'ipv6');
    any = true;
  }
  return any && list.check(ip, family === 'IPv4' ? 'ipv4' : 'ipv6');
}
