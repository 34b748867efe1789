import { BlockList, isIP } from 'net';
import { ProblemList } from '../core/errors';
import { StackSpec } from '../spec/stack';

type PipelineSpec = NonNullable<StackSpec['iomt']>['pipelines'][number];

/**
 * Addresses the API server refuses in an EndpointSlice (kubernetes `pkg/apis/core/validation/validation.go`
 * ValidateNonSpecialIP, which EndpointSlice validation calls for every address): unspecified, loopback,
 * link-local unicast and link-local multicast.
 */
const SPECIAL = (() => {
  const b = new BlockList();
  b.addAddress('0.0.0.0', 'ipv4');
  b.addAddress('::', 'ipv6');
  b.addSubnet('127.0.0.0', 8, 'ipv4');
  b.addAddress('::1', 'ipv6');
  b.addSubnet('169.254.0.0', 16, 'ipv4');
  b.addSubnet('fe80::', 10, 'ipv6');
  b.addSubnet('224.0.0.0', 24, 'ipv4');
  // Go's IsLinkLocalMulticast: ff02::/16 and every other scope nibble of 2 (ffX2::/16).
  for (let flags = 0; flags < 16; flags++) b.addSubnet(`ff${flags.toString(16)}2::`, 16, 'ipv6');
  return b;
})();

/** Why a device address cannot be a Service's endpoint, or undefined when it can. */
export function deviceAddressProblem(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IP address: give the device's IPv4 or IPv6 address, such as 10.20.0.11`;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is neither family for an EndpointSlice: Kubernetes reads it as IPv4.
  if (family === 6 && /^::ffff:/i.test(address)) return `"${address}" is an IPv4-mapped IPv6 address: give the IPv4 address (${address.slice(7)})`;
  if (SPECIAL.check(address, family === 4 ? 'ipv4' : 'ipv6')) {
    return `"${address}" is an unspecified, loopback or link-local address, which the API server refuses as an endpoint (EndpointSlice validation, ValidateNonSpecialIP): give an address cluster nodes route to`;
  }
  return undefined;
}

/** The HTTP schemes of a probe, by thing protocol; other protocols take no healthPath. */
export const PROBE_SCHEMES: Readonly<Record<string, 'HTTP' | 'HTTPS'>> = { http: 'HTTP', https: 'HTTPS' };

/**
 * What each thing of a pipeline must hold to run where it is placed, with the problems at its fields:
 * - a thing on a fleet device reaches its upstreams by the cluster DNS names it is given (IOMT_<UP>_URL), which
 *   a device cannot resolve and no declared path carries from a device into the cluster: it must run in the
 *   cluster (a producer on a device is fine: the cluster reaches it at the device's address);
 * - an MStorage on a device would lose its data: Flotta's agent recreates a workload's containers on every change
 *   (flotta-device-worker 0.2.0 `internal/workload/manager.go` Update: Remove, then Run) and edgewatt mounts no
 *   volume there;
 * - a metrics port that is the thing's port makes a Service with the same port twice, which the API server
 *   refuses (ValidateService: duplicate (protocol, port));
 * - healthPath is an HTTP path: a probe of an rtsp, grpc, mqtt or tcp server over HTTP never passes;
 * - `gpu.product` is NVIDIA's node label (`nvidia.com/gpu.product`): only for an `nvidia.com/` resource.
 */
export function checkThings(p: PipelineSpec, path: string, problems: ProblemList): void {
  const upstreams = new Map<string, string[]>();
  for (const l of p.links) upstreams.set(l.to, [...(upstreams.get(l.to) ?? []), l.from]);
  p.things.forEach((t, ti) => {
    const at = `${path}.things[${ti}]`;
    const ups = upstreams.get(t.name) ?? [];
    if (t.device !== undefined && ups.length > 0) {
      problems.add(
        `${at}.device`,
        `thing "${t.name}" on device "${t.device}" would reach its upstream${ups.length > 1 ? 's' : ''} ${[...new Set(ups)].sort().map((u) => `"${u}"`).join(', ')} at cluster DNS names (IOMT_<UPSTREAM>_URL), which a device cannot resolve, and no path from a device into the cluster is declared: run it in the cluster (leave device out); a thing on a device can only produce`,
      );
    }
    if (t.device !== undefined && t.kind === 'MStorage' && ups.length === 0) {
      problems.add(`${at}.device`, `MStorage "${t.name}" on a device would lose its data: Flotta's agent recreates a device workload's containers on every change (flotta-device-worker 0.2.0), and edgewatt mounts no volume there: run it in the cluster, where it gets a volume claim`);
    }
    if (t.metricsPort !== undefined && t.metricsPort === t.port) {
      problems.add(`${at}.metricsPort`, `is the thing's port (${t.port}): a Service cannot list one port twice (the API server refuses it); leave metricsPort out, or serve metrics on another port`);
    }
    if (t.healthPath !== undefined && !(t.protocol in PROBE_SCHEMES)) {
      problems.add(`${at}.healthPath`, `is an HTTP path, and "${t.name}" speaks ${t.protocol}: an HTTP probe of it never passes; leave healthPath out (a TCP check of the port)`);
    }
    if (typeof t.gpu === 'object' && t.gpu.product !== undefined && !t.gpu.resource.startsWith('nvidia.com/')) {
      problems.add(`${at}.gpu.product`, `selects NVIDIA's node label nvidia.com/gpu.product, which nodes of ${t.gpu.resource} do not carry: leave product out`);
    }
  });
}
