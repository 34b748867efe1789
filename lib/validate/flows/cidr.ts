import { BlockList, isIP } from 'net';

/**
 * CIDR arithmetic for NetworkPolicy ipBlock peers, on Node's own net.BlockList (no hand-written bit maths).
 * An ipBlock admits a source range when the range lies inside `cidr` and overlaps none of `except`.
 */

interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses `a.b.c.d/n` (or an IPv6 CIDR, or a bare address); undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, p] = text.split('/');
  const v = isIP(address);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  const prefix = p === undefined ? max : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

function block(c: Cidr): BlockList {
  const b = new BlockList();
  b.addSubnet(c.address, c.prefix, c.family);
  return b;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o.family !== i.family || i.prefix < o.prefix) return false;
  return block(o).check(i.address, i.family);
}

/** Whether `a` and `b` share an address (one contains the other's network address, CIDRs being aligned). */
export function cidrOverlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y || x.family !== y.family) return false;
  return x.prefix <= y.prefix ? block(x).check(y.address, y.family) : block(y).check(x.address, x.family);
}

/** Whether an ipBlock `{cidr, except}` admits every address of `source`. */
export function ipBlockAdmits(ipBlock: { readonly cidr: string; readonly except?: ReadonlyArray<string> }, source: string): boolean {
  return cidrContains(ipBlock.cidr, source) && !(ipBlock.except ?? []).some((e) => cidrOverlaps(e, source));
}
