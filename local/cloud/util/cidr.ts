/** IPv4 helpers. Addresses in topologies are text only: nothing here opens a socket. */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** The address as an unsigned 32-bit number. */
export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** The unsigned 32-bit number as dotted-quad text. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** A parsed CIDR block. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
  readonly size: number;
}

/** Parses `a.b.c.d/n`; returns undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, bits, extra] = text.split('/');
  if (ip === undefined || bits === undefined || extra !== undefined || !isIpv4(ip)) return undefined;
  if (!/^\d{1,2}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const network = ipToInt(ip);
  if (network % size !== 0) return undefined;
  return { network, prefix, size };
}

/** True when the address lies inside the block. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= cidr.network && n < cidr.network + cidr.size;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

/**
 * True for the five addresses AWS reserves in every subnet: network, +1 router,
 * +2 DNS, +3 future use, and the last one.
 */
export function isReservedInSubnet(cidr: Cidr, ip: string): boolean {
  const offset = ipToInt(ip) - cidr.network;
  return offset <= 3 || offset === cidr.size - 1;
}
