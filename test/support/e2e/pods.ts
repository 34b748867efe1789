import { KubeObject } from '../../../lib/internal';

/**
 * Fake pods for the loopback fixture: the pods the synthesized workloads would run, with their template's
 * labels and container ports, and the target groups Kubernetes service discovery (role: pod) would give
 * Prometheus for them. Meta label names: prometheus/prometheus discovery/kubernetes/pod.go and node.go at
 * v2.42.0 (the same in v3): one target per declared container port, `__meta_kubernetes_pod_label_<name>`
 * with the name sanitised to [a-zA-Z0-9_], node labels with `attach_metadata: {node: true}`.
 */

/** A node of the fake cluster. */
export interface FakeNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A pod the fixture pretends runs. */
export interface FakePod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The object that runs it: `DaemonSet/kepler-exporter`. */
  readonly controller: string;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly ports: ReadonlyArray<{ readonly name?: string; readonly containerPort: number; readonly protocol?: string }> }>;
}

/** One scrape target of a fake pod (a container port). */
export interface PodPort {
  readonly pod: FakePod;
  readonly container: string;
  readonly port: { readonly name?: string; readonly containerPort: number; readonly protocol?: string };
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** The pods the workloads of one cluster's objects run on `nodes` (a DaemonSet: one per node). */
export function podsOf(objects: ReadonlyArray<KubeObject>, nodes: ReadonlyArray<FakeNode>): FakePod[] {
  if (nodes.length === 0) throw new Error('a fake cluster needs at least one node');
  const out: FakePod[] = [];
  for (const o of objects) {
    if (!WORKLOADS.has(o.kind)) continue;
    const spec = (o as Json).spec;
    const template = spec.template;
    const base = { namespace: o.metadata.namespace ?? 'default', labels: template.metadata?.labels ?? {}, controller: `${o.kind}/${o.metadata.name}`, containers: template.spec.containers.map((c: Json) => ({ name: c.name, ports: c.ports ?? [] })) };
    if (o.kind === 'DaemonSet') for (const n of nodes) out.push({ ...base, name: `${o.metadata.name}-${n.name}`, node: n.name });
    else for (let i = 0; i < (spec.replicas ?? 1); i++) out.push({ ...base, name: o.kind === 'StatefulSet' ? `${o.metadata.name}-${i}` : `${o.metadata.name}-e2e${i}`, node: nodes[i % nodes.length].name });
  }
  return out;
}

/** Every container port of the pods, in order. */
export function podPorts(pods: ReadonlyArray<FakePod>): PodPort[] {
  return pods.flatMap((pod) => pod.containers.flatMap((c) => c.ports.map((port) => ({ pod, container: c.name, port }))));
}

function sd(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The file_sd target groups for one `kubernetes_sd_configs` entry (role pod): the ports of the pods in its
 * namespaces, each at the loopback address `addressOf` gives, with the labels Kubernetes discovery sets.
 */
export function podTargetGroups(sdConfig: Json, ports: ReadonlyArray<PodPort>, nodes: ReadonlyArray<FakeNode>, addressOf: (p: PodPort) => string): Array<{ targets: string[]; labels: Record<string, string> }> {
  const names: string[] | undefined = sdConfig.namespaces?.names;
  const withNode = sdConfig.attach_metadata?.node === true;
  return ports
    .filter((p) => !names || names.includes(p.pod.namespace))
    .map((p) => {
      const [kind, name] = p.pod.controller.split('/');
      const labels: Record<string, string> = {
        __meta_kubernetes_namespace: p.pod.namespace,
        __meta_kubernetes_pod_name: p.pod.name,
        __meta_kubernetes_pod_ip: '127.0.0.1',
        __meta_kubernetes_pod_node_name: p.pod.node,
        __meta_kubernetes_pod_host_ip: '127.0.0.1',
        __meta_kubernetes_pod_ready: 'true',
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_controller_kind: kind === 'Deployment' ? 'ReplicaSet' : kind,
        __meta_kubernetes_pod_controller_name: name,
        __meta_kubernetes_pod_container_name: p.container,
        __meta_kubernetes_pod_container_init: 'false',
        __meta_kubernetes_pod_container_port_number: String(p.port.containerPort),
        __meta_kubernetes_pod_container_port_protocol: p.port.protocol ?? 'TCP',
        ...(p.port.name ? { __meta_kubernetes_pod_container_port_name: p.port.name } : {}),
      };
      for (const [k, v] of Object.entries(p.pod.labels)) {
        labels[`__meta_kubernetes_pod_label_${sd(k)}`] = v;
        labels[`__meta_kubernetes_pod_labelpresent_${sd(k)}`] = 'true';
      }
      if (withNode) {
        const node = nodes.find((n) => n.name === p.pod.node);
        if (!node) throw new Error(`pod ${p.pod.name} is on unknown node ${p.pod.node}`);
        labels.__meta_kubernetes_node_name = node.name;
        for (const [k, v] of Object.entries(node.labels)) {
          labels[`__meta_kubernetes_node_label_${sd(k)}`] = v;
          labels[`__meta_kubernetes_node_labelpresent_${sd(k)}`] = 'true';
        }
      }
      return { targets: [addressOf(p)], labels };
    });
}

/**
 * A pod for a scrape job whose workload is not in the synthesized output (installed from a Helm chart): it
 * carries exactly the pod labels and port name the job's `keep` rules require. Such a job's selection of
 * the real chart's pods is the static flow gate's to prove; here it only lets the job's series flow.
 */
export function podFromKeepRules(scrape: Json, namespace: string, node: string): FakePod {
  const labels: Record<string, string> = {};
  let portName: string | undefined;
  for (const r of scrape.relabel_configs ?? []) {
    if (r.action !== 'keep' || r.source_labels?.length !== 1 || typeof r.regex !== 'string') continue;
    const value = r.regex.replace(/\\(.)/g, '$1');
    if (/[|*+?()[\]]/.test(value)) continue;
    const src: string = r.source_labels[0];
    const m = /^__meta_kubernetes_pod_label_(.+)$/.exec(src);
    if (m) labels[m[1]] = value;
    if (src === '__meta_kubernetes_pod_container_port_name') portName = value;
  }
  return { namespace, name: `${scrape.job_name}-e2e0`, node, labels, controller: `Deployment/${scrape.job_name}`, containers: [{ name: scrape.job_name, ports: [{ name: portName, containerPort: 8443 }] }] };
}
