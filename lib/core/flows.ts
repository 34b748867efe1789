/**
 * Flows: every path between two parts of the stack, declared as data by the component that needs it (next to
 * its monitoring declaration), and proven by the flow gate (lib/validate/flows) on the synthesized objects —
 * never on the model — so that a hand-edited or reverted object is caught too (DESIGN.md §6).
 */

/** Why the source talks to the destination. */
export const FLOW_PURPOSES = [
  'scrape',
  'remote-write',
  'model-fetch',
  'iomt-link',
  'datasource',
  'alerting',
  'alert-receiver',
  'device-api',
  'device-remote-write',
  'api-server',
] as const;
export type FlowPurpose = (typeof FLOW_PURPOSES)[number];

/**
 * How a flow reaches its destination:
 * - `in-cluster`: cluster DNS (`<svc>.<ns>.svc.cluster.local`), source and destination in one cluster;
 * - `mcs`: Multi-Cluster Services DNS (`<svc>.<ns>.svc.clusterset.local`), needs a ServiceExport of the
 *   destination Service and a NetworkPolicy admitting the declared remote pod CIDRs;
 * - `ingress` / `loadBalancer`: an external TLS endpoint (hostname) in front of the destination Service; the
 *   NetworkPolicy admits the ingress controller's namespace (ingress) or the declared CIDRs (loadBalancer).
 */
export type FlowTransport = 'in-cluster' | 'mcs' | 'ingress' | 'loadBalancer';

/** Pods of one workload, as the source of a flow. */
export interface PodsSource {
  readonly kind: 'pods';
  readonly cluster: string;
  readonly namespace: string;
  /** Labels of the source pods (a subset of their template labels that selects them). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The workload object that configures the flow (its URL, config or flag), `Kind/name`. @default - not checked */
  readonly workload?: string;
  /** Its ServiceAccount, for RBAC checks (discovery, /metrics behind kube-rbac-proxy). @default - none */
  readonly serviceAccount?: string;
  /**
   * The addresses the pods' traffic has when it reaches another cluster (its pod CIDRs), for `mcs` flows: the
   * destination's NetworkPolicy must admit them by ipBlock. @default - none (an `mcs` flow then fails the gate)
   */
  readonly cidrs?: ReadonlyArray<string>;
}

/** Devices that are not cluster nodes (Flotta); they reach the cluster only through an external endpoint. */
export interface DeviceSource {
  readonly kind: 'device';
  /** The cluster whose operator manages the devices. */
  readonly cluster: string;
  /** Device set, or `*` for every device. */
  readonly set: string;
  /** Source addresses, when declared (CIDRs). @default - unknown: the endpoint must be admitted from its ingress path */
  readonly cidrs?: ReadonlyArray<string>;
}

/** A source outside every cluster of the stack (an ingress controller, a webhook caller). */
export interface ExternalSource {
  readonly kind: 'external';
  readonly cidrs: ReadonlyArray<string>;
}

export type FlowSource = PodsSource | DeviceSource | ExternalSource;

/** A Service port as a destination. */
export interface ServiceDestination {
  readonly kind: 'service';
  readonly cluster: string;
  readonly namespace: string;
  /** Service name. */
  readonly service: string;
  /** Service port: its number or its name. */
  readonly port: number | string;
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * The destination pods when an upstream component installs them (they are not in the tree): their labels
   * and named container ports as read from the upstream release, and where. @default - the pods are in the tree
   */
  readonly upstreamPods?: UpstreamPods;
}

/** Pods an upstream component installs: labels and named container ports as read from its release, and where. */
export interface UpstreamPods {
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  /** repo + path + tag the facts come from. */
  readonly source: string;
}

/**
 * The Kubernetes API server of the source's cluster: the source's ServiceAccount token is mounted, its RBAC grants
 * `access`, and its egress NetworkPolicies let it reach the API server's endpoints (and the cluster DNS when it names
 * the server by a host name).
 */
export interface ApiServerDestination {
  readonly kind: 'api-server';
  readonly cluster: string;
  /** What the source must be allowed to do there: `verb resource[.group]` in `namespace` (or cluster-wide). */
  readonly access: ReadonlyArray<{ readonly verbs: ReadonlyArray<string>; readonly resource: string; readonly group?: string; readonly namespace?: string }>;
  /**
   * The ports the API server's endpoints serve on: what an egress NetworkPolicy sees, after the `kubernetes` Service's
   * DNAT of 443 (lib/core/network.ts apiServerPorts). @default - apiServerPorts('generic'): 443 and 6443
   */
  readonly ports?: ReadonlyArray<number>;
  /** The API server's addresses (clusters[].apiServerCIDRs). @default - not known: any address outside the cluster */
  readonly cidrs?: ReadonlyArray<string>;
}

/** A destination outside the stack (a webhook URL); only egress policies are checked. */
export interface ExternalDestination {
  readonly kind: 'external';
  readonly url: string;
}

/**
 * Pods reached directly, without a Service (a scrape found by Prometheus's pod discovery goes pod to pod): the
 * pods' template labels, and the container port (name or number).
 */
export interface PodsDestination {
  readonly kind: 'pods';
  readonly cluster: string;
  readonly namespace: string;
  /** Labels that select the destination pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Container port: its name or number. */
  readonly port: number | string;
  /** A short name for messages (the workload). @default - the label values */
  readonly workload?: string;
  readonly protocol?: 'TCP' | 'UDP';
  /** The pods when an upstream component installs them (not in the tree), as read from its release. @default - the pods are in the tree */
  readonly upstreamPods?: UpstreamPods;
}

export type FlowDestination = ServiceDestination | ApiServerDestination | ExternalDestination | PodsDestination;

/** Where the source is told the destination's address, so the gate can check it is the declared one. */
export interface ConfiguredURL {
  /** The URL the source uses. */
  readonly url: string;
  /** The object that carries it: `Kind/name` (in the source's namespace and cluster, or cluster-scoped). */
  readonly object: string;
  /** Where in that object: an env var (`env:NAME`), a flag (`arg:--flag`), a config key (`data:<key>`), or a JSON pointer. */
  readonly at: string;
}

/** A scrape flow's job: the target must survive its relabel rules (the selection policy keeps it). */
export interface ScrapeJob {
  /** `job_name` in the Prometheus config of the source's cluster (bundled), or the PodMonitor/ServiceMonitor name (operator mode). */
  readonly job: string;
  /** Labels of an example target pod the job must keep (pod labels; node labels under `node:`). @default - the destination pods' labels */
  readonly exampleTarget?: Readonly<Record<string, string>>;
  /** Discovery needs: list/watch of these resources in the destination namespace. @default ['pods'] */
  readonly discovers?: ReadonlyArray<string>;
  /** The endpoint is behind kube-rbac-proxy: the source needs `get` on this nonResourceURL. @default - none */
  readonly nonResourceURL?: string;
}

/** One path between two parts of the stack. */
export interface Flow {
  /** Stable id: `<purpose>:<source>-><destination>`, unique in a stack. */
  readonly id: string;
  readonly purpose: FlowPurpose;
  readonly from: FlowSource;
  readonly to: FlowDestination;
  readonly transport: FlowTransport;
  /** What the source is configured with. @default - not checked (e.g. a scrape found by discovery) */
  readonly configured?: ConfiguredURL;
  /** For `scrape` flows. */
  readonly scrape?: ScrapeJob;
  /** Field path in the stack of the declaration that caused the flow, for messages. @default - none */
  readonly path?: string;
  /**
   * For `ingress` flows: the namespace of the ingress controller's pods, which forward the traffic; the
   * destination's NetworkPolicy must admit them. @default - none (an `ingress` flow then fails the gate)
   */
  readonly ingressControllerNamespace?: string;
  /**
   * For `loadBalancer` flows: pods that relay the load balancer's connections and replace their source address, which
   * the destination's NetworkPolicy must admit as well as the source's CIDRs (k3s's ServiceLB: lib/core/exposure.ts
   * serviceLBRelay). @default - none: the connections arrive from the source's own addresses
   */
  readonly relay?: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
}

/** A flow's two ends, short: `cluster/namespace/workload` and `cluster/namespace/svc/name:port` (or pods, API server, URL). */
export function flowEnds(f: Flow): { from: string; to: string } {
  const from =
    f.from.kind === 'pods'
      ? `${f.from.cluster}/${f.from.namespace}/${f.from.workload ?? Object.values(f.from.podLabels).join(',')}`
      : f.from.kind === 'device'
        ? `devices ${f.from.cluster}/${f.from.set}`
        : `external ${f.from.cidrs.join(',')}`;
  const to =
    f.to.kind === 'service'
      ? `${f.to.cluster}/${f.to.namespace}/svc/${f.to.service}:${f.to.port}`
      : f.to.kind === 'pods'
        ? `${f.to.cluster}/${f.to.namespace}/${f.to.workload ?? Object.values(f.to.podLabels).join(',')}:${f.to.port}`
        : f.to.kind === 'api-server'
          ? `${f.to.cluster}/api-server`
          : f.to.url;
  return { from, to };
}

/** A short, readable name of a flow: `source → destination:port (purpose)`. */
export function describeFlow(f: Flow): string {
  const { from, to } = flowEnds(f);
  return `${from} → ${to} (${f.purpose}${f.transport === 'in-cluster' ? '' : `, via ${f.transport}`})`;
}
