import { Entry } from '../types';
import { ipBlockAdmits } from './cidr';
import { ClusterObjects } from './objects';
import { LabelSelector, selects } from './selectors';

/**
 * NetworkPolicy evaluation, the way Kubernetes evaluates it (networking.k8s.io/v1 NetworkPolicySpec, API
 * reference and "Network Policies" concept page, kubernetes/website content/en/docs/concepts/services-networking/
 * network-policies.md):
 * - a policy selects pods of its own namespace by `podSelector` (empty: every pod);
 * - `policyTypes` absent means Ingress, plus Egress when the policy has an `egress` section;
 * - a pod selected by no policy of a direction is not isolated in it: everything is admitted;
 * - an isolated pod admits a connection when some rule of some selecting policy admits both the peer and the port;
 * - a rule without `from`/`to` admits every peer, without `ports` every port; a port is a number, a named
 *   container port of the destination pod, or a range (`endPort`); protocol defaults to TCP;
 * - a peer with namespaceSelector and podSelector admits pods matching both; namespaceSelector alone every pod
 *   of the selected namespaces; podSelector alone pods of the policy's namespace; ipBlock admits addresses
 *   (CIDR minus `except`), which is how sources outside the cluster (devices, other clusters' pods) are admitted.
 */

/** Who opens the connection, as a policy sees it. */
export type Peer =
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'cidrs'; readonly cidrs: ReadonlyArray<string> }
  /** An address outside the cluster that is not known statically (a clusterset IP, an external host): any ipBlock peer is taken to admit it. */
  | { readonly kind: 'outside' };

/** The port a connection reaches: the destination container's port number and, when it has one, its name. */
export interface TargetPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol: string;
}

interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: ReadonlyArray<string> };
}

interface Rule {
  readonly from?: ReadonlyArray<PolicyPeer>;
  readonly to?: ReadonlyArray<PolicyPeer>;
  readonly ports?: ReadonlyArray<PolicyPort>;
}

interface PolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: ReadonlyArray<string>;
  readonly ingress?: ReadonlyArray<Rule>;
  readonly egress?: ReadonlyArray<Rule>;
}

/** The verdict of one direction: whether the pod is isolated, whether the connection is admitted, and by/against which policies. */
export interface PolicyVerdict {
  readonly isolated: boolean;
  readonly admitted: boolean;
  /** The policies that select the pod in this direction (the ones to fix when not admitted). */
  readonly policies: ReadonlyArray<Entry>;
}

function specOf(e: Entry): PolicySpec {
  return ((e.object as { spec?: PolicySpec }).spec ?? {}) as PolicySpec;
}

/** The directions a policy applies to, with the API's defaults. */
export function policyTypes(spec: PolicySpec): ReadonlyArray<string> {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Whether a policy port admits `target`. */
export function portAdmits(p: PolicyPort, target: TargetPort): boolean {
  if ((p.protocol ?? 'TCP') !== target.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) return target.name !== undefined && p.port === target.name;
  const n = Number(p.port);
  return p.endPort !== undefined ? target.number >= n && target.number <= p.endPort : target.number === n;
}

/** Whether a peer of a policy in `policyNamespace` admits `peer`. */
export function peerAdmits(objs: ClusterObjects, policyNamespace: string, p: PolicyPeer, peer: Peer): boolean {
  if (peer.kind === 'outside') return p.ipBlock !== undefined;
  if (peer.kind === 'cidrs') return p.ipBlock !== undefined && peer.cidrs.length > 0 && peer.cidrs.every((c) => ipBlockAdmits(p.ipBlock!, c));
  if (p.ipBlock) return false;
  if (p.namespaceSelector) return selects(p.namespaceSelector, objs.namespaceLabels(peer.namespace)) && selects(p.podSelector, peer.labels);
  if (p.podSelector) return peer.namespace === policyNamespace && selects(p.podSelector, peer.labels);
  return false;
}

function ruleAdmits(objs: ClusterObjects, ns: string, r: Rule, peers: ReadonlyArray<PolicyPeer> | undefined, peer: Peer, port: TargetPort): boolean {
  const peerOk = !peers || peers.length === 0 || peers.some((p) => peerAdmits(objs, ns, p, peer));
  const portOk = !r.ports || r.ports.length === 0 || r.ports.some((p) => portAdmits(p, port));
  return peerOk && portOk;
}

function evaluate(objs: ClusterObjects, direction: 'Ingress' | 'Egress', pod: { namespace: string; labels: Readonly<Record<string, string>> }, peer: Peer, port: TargetPort): PolicyVerdict {
  // Sources from several CIDRs are admitted when each CIDR is, by any peer of any rule (peers and rules are ORed).
  if (peer.kind === 'cidrs' && peer.cidrs.length > 1) {
    const each = peer.cidrs.map((c) => evaluate(objs, direction, pod, { kind: 'cidrs', cidrs: [c] }, port));
    return { isolated: each[0].isolated, admitted: each.every((v) => v.admitted), policies: each[0].policies };
  }
  const policies = objs
    .kind('NetworkPolicy')
    .filter((e) => (e.object.metadata.namespace ?? 'default') === pod.namespace)
    .filter((e) => policyTypes(specOf(e)).includes(direction) && selects(specOf(e).podSelector ?? {}, pod.labels));
  if (policies.length === 0) return { isolated: false, admitted: true, policies };
  const admitted = policies.some((e) => {
    const spec = specOf(e);
    const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((r) => ruleAdmits(objs, pod.namespace, r, direction === 'Ingress' ? r.from : r.to, peer, port));
  });
  return { isolated: true, admitted, policies };
}

/** Whether the NetworkPolicies of `objs` let `source` reach the pods `dest` (namespace, labels) on `port`. */
export function ingressVerdict(objs: ClusterObjects, dest: { namespace: string; labels: Readonly<Record<string, string>> }, source: Peer, port: TargetPort): PolicyVerdict {
  return evaluate(objs, 'Ingress', dest, source, port);
}

/** Whether the NetworkPolicies of `objs` let the pods `source` open a connection to `dest` on `port`. */
export function egressVerdict(objs: ClusterObjects, source: { namespace: string; labels: Readonly<Record<string, string>> }, dest: Peer, port: TargetPort): PolicyVerdict {
  return evaluate(objs, 'Egress', source, dest, port);
}
