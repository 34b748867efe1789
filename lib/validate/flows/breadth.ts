import { Flow } from '../../core/flows';
import { NAMESPACE_PEERS_ANNOTATION, OPEN_EGRESS_PORTS_ANNOTATION, OPEN_EGRESS_REASON_ANNOTATION } from '../../core/policy';
import { Entry, Finding } from '../types';
import { labelText } from './context';
import { policyTypes } from './network-policy';
import { ClusterObjects, objectName } from './objects';
import { LabelSelector, mapSelects, selects } from './selectors';

/*
 * NetworkPolicies admit the declared flows and no more: the flow gate proves each flow is admitted (network.ts); this
 * finds an ingress peer that admits a whole namespace (namespaceSelector without podSelector) where every declared
 * flow it lets in comes from pods the stack names (an in-cluster flow from a `pods` source). Such a peer also lets in
 * every other pod of that namespace — a remote-write gateway reachable from outside the cluster, say — which no flow
 * needs; the fix is the source's pods as the peer (namespaceSelector and podSelector).
 *
 * A namespace-wide peer (no podSelector, or an empty one) stays when some flow through it comes from pods the stack
 * cannot name: an ingress controller (an `ingress` flow's source is the controller's namespace); when the policy
 * declares the namespace admitted whole on purpose (annotation edgewatt.io/namespace-peers: an existing Grafana,
 * whose pods the stack does not know, even in a namespace that also holds the stack's own sources); and when no
 * declared flow comes through it. Ports are
 * not compared: a flow to the selected pods on another port of the rule counts as served, so the check can miss a
 * peer, never report one wrongly. Egress peers are not compared with the flows.
 *
 * A rule open to every address is reported in either direction: one without peers (`from`/`to` missing or empty) or
 * with an ipBlock of every address (`0.0.0.0/0`, `::/0`). An ingress one admits every source, in the cluster and out of
 * it, which no declared flow needs (each names its source: pods, the ingress controller's namespace, or CIDRs). An
 * egress one lets the pods reach every address on its ports, unless the policy declares each of those ports open, with
 * the reason (annotations edgewatt.io/open-egress-ports and edgewatt.io/open-egress-reason: a destination whose
 * addresses the stack does not know, the API server of a cluster without apiServerCIDRs); a port range (`endPort`) or a
 * rule without ports is never declared open.
 */

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: unknown;
}

interface IngressSpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: ReadonlyArray<string>;
  readonly ingress?: ReadonlyArray<{ readonly from?: ReadonlyArray<PolicyPeer>; readonly ports?: RulePorts }>;
  readonly egress?: ReadonlyArray<{ readonly to?: ReadonlyArray<PolicyPeer>; readonly ports?: RulePorts }>;
}

/** The ports of a NetworkPolicy rule. */
type RulePorts = ReadonlyArray<{ readonly port?: number | string; readonly endPort?: number; readonly protocol?: string }>;

/** Where a flow's traffic comes from as a namespace sees it, and whether the stack names its pods. */
interface Arrival {
  readonly namespace: string;
  readonly named?: Readonly<Record<string, string>>;
}

function arrival(f: Flow): Arrival | undefined {
  if (f.transport === 'in-cluster' && f.from.kind === 'pods') {
    return { namespace: f.from.namespace, named: Object.keys(f.from.podLabels).length > 0 ? f.from.podLabels : undefined };
  }
  if (f.transport === 'ingress' && f.ingressControllerNamespace) return { namespace: f.ingressControllerNamespace };
  return undefined;
}

/** The labels of the flow's destination pods in `objs` (its Service's selection, or the upstream release's pods). */
function destinationLabels(f: Flow, objs: ClusterObjects): { namespace: string; labels: ReadonlyArray<Readonly<Record<string, string>>> } | undefined {
  const to = f.to;
  if (to.kind === 'pods') {
    const pods = objs.pods.filter((t) => t.namespace === to.namespace && mapSelects(to.podLabels, t.labels)).map((t) => t.labels);
    return { namespace: to.namespace, labels: pods.length > 0 ? pods : to.upstreamPods ? [to.upstreamPods.labels] : [] };
  }
  if (to.kind === 'service') {
    const selector = (objs.find('Service', to.service, to.namespace)?.object as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector;
    if (!selector) return undefined;
    const pods = objs.pods.filter((t) => t.namespace === to.namespace && mapSelects(selector, t.labels)).map((t) => t.labels);
    return { namespace: to.namespace, labels: pods.length > 0 ? pods : to.upstreamPods && mapSelects(selector, to.upstreamPods.labels) ? [to.upstreamPods.labels] : [] };
  }
  return undefined;
}

/** The peer's namespace selection as text, for messages. */
function namespaceText(p: PolicyPeer): string {
  const name = p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  return name !== undefined && Object.keys(p.namespaceSelector?.matchLabels ?? {}).length === 1 && !p.namespaceSelector?.matchExpressions?.length ? `namespace ${name}` : `the namespaces selected by ${JSON.stringify(p.namespaceSelector)}`;
}

/**
 * Findings for the namespace-wide ingress peers of every cluster's NetworkPolicies that only pods the stack names need,
 * and for the rules open to every address (see above).
 */
export function checkPeerBreadth(flows: ReadonlyArray<Flow>, clusters: ReadonlyMap<string, ClusterObjects>): Finding[] {
  const findings: Finding[] = [];
  const byCluster = new Map<string, Flow[]>();
  for (const f of flows) {
    if (f.to.kind !== 'pods' && f.to.kind !== 'service') continue;
    const list = byCluster.get(f.to.cluster);
    if (list) list.push(f);
    else byCluster.set(f.to.cluster, [f]);
  }
  for (const [cluster, objs] of clusters) {
    const policies = objs.kind('NetworkPolicy');
    findings.push(...policies.flatMap(openRules));
    const wide = policies.flatMap(widePeers);
    if (wide.length === 0) continue;
    const arriving = (byCluster.get(cluster) ?? []).flatMap((f) => {
      const from = arrival(f);
      const dest = from && destinationLabels(f, objs);
      return from && dest ? [{ flow: f, from, dest }] : [];
    });
    for (const w of wide) {
      const served = arriving.filter(
        (a) =>
          a.dest.namespace === w.namespace &&
          a.dest.labels.some((l) => selects(w.podSelector, l)) &&
          selects(w.peer.namespaceSelector, objs.namespaceLabels(a.from.namespace)),
      );
      if (served.length === 0 || served.some((a) => a.from.named === undefined)) continue;
      const sources = [...new Set(served.map((a) => `${labelText(a.from.named!)} in ${a.from.namespace}`))].sort();
      findings.push({
        file: w.entry.file,
        pointer: w.pointer,
        message: `${objectName(w.entry)} in ${w.namespace} admits every pod of ${namespaceText(w.peer)}, but the declared flows it lets in (${served.length}: ${served
          .map((a) => a.flow.id)
          .slice(0, 3)
          .join(', ')}${served.length > 3 ? ', …' : ''}) come only from pods labelled ${sources.join('; ')}; fix: add a podSelector with those labels to the peer (one peer per source), so other pods of the namespace are not admitted`,
      });
    }
  }
  return findings;
}

/** Whether a rule's peers let in (or out) every address: none, or an ipBlock of a /0 without exceptions. */
function everyAddress(peers: ReadonlyArray<PolicyPeer> | undefined): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((p) => {
    const block = p.ipBlock as { cidr?: string; except?: ReadonlyArray<string> } | undefined;
    return block !== undefined && /\/0$/.test(block.cidr ?? '') && (block.except ?? []).length === 0;
  });
}

/**
 * Findings for the rules of a NetworkPolicy open to every address (everyAddress): every such ingress rule, and every such
 * egress rule unless the policy declares its ports open with a reason (OPEN_EGRESS_PORTS_ANNOTATION): single ports,
 * each listed.
 */
function openRules(e: Entry): Finding[] {
  const spec = ((e.object as { spec?: IngressSpec }).spec ?? {}) as IngressSpec;
  const types = policyTypes(spec as Parameters<typeof policyTypes>[0]);
  const policy = `${objectName(e)} in ${e.object.metadata.namespace ?? 'default'}`;
  const annotations = e.object.metadata.annotations ?? {};
  const declared = annotations[OPEN_EGRESS_REASON_ANNOTATION] ? new Set((annotations[OPEN_EGRESS_PORTS_ANNOTATION] ?? '').split(',').filter((p) => p !== '')) : new Set<string>();
  const declaredOpen = (ports: RulePorts | undefined) => ports !== undefined && ports.length > 0 && ports.every((p) => p.port !== undefined && p.endPort === undefined && declared.has(`${p.port}/${p.protocol ?? 'TCP'}`));
  const ingress = !types.includes('Ingress')
    ? []
    : (spec.ingress ?? []).flatMap((r, i) =>
        everyAddress(r.from)
          ? [
              {
                file: e.file,
                pointer: `/spec/ingress/${i}`,
                message: `${policy} admits every source on ${portsText(r.ports)} (an ingress rule without from, or from every address: every pod of every namespace, and any address routed to the pods), which no declared flow needs; fix: list the declared sources as the rule's peers (their pods, the ingress controller's namespace, or their CIDRs)`,
              },
            ]
          : [],
      );
  const egress = !types.includes('Egress')
    ? []
    : (spec.egress ?? []).flatMap((r, i) =>
        everyAddress(r.to) && !declaredOpen(r.ports)
          ? [
              {
                file: e.file,
                pointer: `/spec/egress/${i}`,
                message: `${policy} lets its pods reach every address on ${portsText(r.ports)} (an egress rule without to, or to every address); fix: list the destinations as the rule's peers (their pods, or their addresses as ipBlocks), or declare the ports open with the reason (annotations ${OPEN_EGRESS_PORTS_ANNOTATION} and edgewatt.io/open-egress-reason)`,
              },
            ]
          : [],
      );
  return [...ingress, ...egress];
}

/** A rule's ports for messages. */
function portsText(ports: RulePorts | undefined): string {
  return ports && ports.length > 0 ? `port${ports.length > 1 ? 's' : ''} ${ports.map((p) => `${p.port ?? 'any'}/${p.protocol ?? 'TCP'}`).join(', ')}` : 'every port';
}

interface WidePeer {
  readonly entry: Entry;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly peer: PolicyPeer;
  readonly pointer: string;
}

/** The ingress peers of a NetworkPolicy that select namespaces and no pods. */
function widePeers(e: Entry): WidePeer[] {
  const spec = ((e.object as { spec?: IngressSpec }).spec ?? {}) as IngressSpec;
  if (!policyTypes(spec as Parameters<typeof policyTypes>[0]).includes('Ingress')) return [];
  const namespace = e.object.metadata.namespace ?? 'default';
  // Namespaces the policy admits whole on purpose (lib/core/policy.ts declareNamespacePeers).
  const declared = new Set((e.object.metadata.annotations?.[NAMESPACE_PEERS_ANNOTATION] ?? '').split(',').filter((n) => n !== ''));
  return (spec.ingress ?? []).flatMap((r, i) =>
    (r.from ?? []).flatMap((p, j) => {
      // An empty podSelector (no labels, no expressions) selects every pod, as no podSelector does.
      const everyPod = !p.podSelector || ((p.podSelector.matchLabels === undefined || Object.keys(p.podSelector.matchLabels).length === 0) && (p.podSelector.matchExpressions ?? []).length === 0);
      if (!p.namespaceSelector || !everyPod || p.ipBlock) return [];
      const named = p.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
      if (named !== undefined && declared.has(named)) return [];
      return [{ entry: e, namespace, podSelector: spec.podSelector ?? {}, peer: p, pointer: `/spec/ingress/${i}/from/${j}` }];
    }),
  );
}
