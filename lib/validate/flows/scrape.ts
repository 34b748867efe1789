import { parsedData } from './parsed';
import { sdLabel } from '../../monitoring/prometheus-config';
import { Entry } from '../types';
import { containerPort, FlowContext, labelText } from './context';
import { checkApiServerPath, sourcePods } from './network';
import { ClusterObjects, PodTemplate } from './objects';
import { allowed, describeRequest } from './rbac';
import { Relabel, relabel } from './relabel';
import { mapSelects, selects } from './selectors';

/** The parts of a scrape job the gate reads. */
interface Job {
  readonly job_name: string;
  readonly kubernetes_sd_configs?: ReadonlyArray<{ readonly role: string; readonly namespaces?: { readonly names?: ReadonlyArray<string> }; readonly attach_metadata?: { readonly node?: boolean } }>;
  readonly relabel_configs?: ReadonlyArray<Relabel>;
  readonly metrics_path?: string;
}

/** How many node names are tried against a per-node sampling rule: the job must keep at least one. */
export const NODE_CANDIDATES = 100;

/**
 * The Prometheus config the source pods run: a ConfigMap with `prometheus.yml` that their pod spec mounts (a
 * namespace may hold several Prometheus, such as the remote-write gateways), parsed once per object.
 */
function prometheusConfig(objs: ClusterObjects, pod: PodTemplate): { entry: Entry; jobs: Job[] } | undefined {
  const namespace = pod.namespace;
  const o = pod.entry.object as { spec?: { template?: { spec?: { volumes?: Array<{ configMap?: { name?: string } }> } }; volumes?: Array<{ configMap?: { name?: string } }> } };
  const volumes = o.spec?.template?.spec?.volumes ?? o.spec?.volumes ?? [];
  const mounted = new Set<string>(volumes.map((v) => v.configMap?.name).filter((n): n is string => !!n));
  for (const e of objs.kind('ConfigMap')) {
    if (e.object.metadata.namespace !== namespace || !mounted.has(e.object.metadata.name)) continue;
    const text = (e.object as { data?: Record<string, string> }).data?.['prometheus.yml'];
    if (text === undefined) continue;
    const doc = parsedData(text) as { scrape_configs?: Job[] } | null;
    return { entry: e, jobs: (doc?.scrape_configs ?? []) as Job[] };
  }
  return undefined;
}

/**
 * The labels Prometheus's pod discovery gives a target (prometheus/prometheus discovery/kubernetes/pod.go at
 * v3.13.2: `__meta_kubernetes_pod_label_<name>`, `_labelpresent_<name>`, `__meta_kubernetes_namespace`,
 * `_pod_container_port_name|number|protocol`, `_pod_phase`, `_pod_ready`, `_pod_node_name`; node labels as
 * `__meta_kubernetes_node_label_<name>` with attach_metadata.node).
 */
export function podTargetLabels(p: {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  container: string;
  port: { name?: string; number: number; protocol: string };
  node: string;
  nodeLabels: Readonly<Record<string, string>>;
  job: string;
  metricsPath: string;
}): Record<string, string> {
  const out: Record<string, string> = {
    __address__: `10.0.0.1:${p.port.number}`,
    __metrics_path__: p.metricsPath,
    __scheme__: 'http',
    job: p.job,
    __meta_kubernetes_namespace: p.namespace,
    __meta_kubernetes_pod_name: 'pod-0',
    __meta_kubernetes_pod_container_name: p.container,
    __meta_kubernetes_pod_container_port_name: p.port.name ?? '',
    __meta_kubernetes_pod_container_port_number: String(p.port.number),
    __meta_kubernetes_pod_container_port_protocol: p.port.protocol,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_node_name: p.node,
  };
  for (const [k, v] of Object.entries(p.labels)) {
    out[`__meta_kubernetes_pod_label_${sdLabel(k)}`] = v;
    out[`__meta_kubernetes_pod_labelpresent_${sdLabel(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(p.nodeLabels)) {
    out[`__meta_kubernetes_node_label_${sdLabel(k)}`] = v;
    out[`__meta_kubernetes_node_labelpresent_${sdLabel(k)}`] = 'true';
  }
  return out;
}

/** Checks a scrape flow's job: it exists, discovers the destination namespace, keeps the target, and has discovery RBAC. */
export function checkScrape(ctx: FlowContext): void {
  const f = ctx.flow;
  if (!f.scrape || f.to.kind === 'api-server' || f.to.kind === 'external') return;
  const src = sourcePods(ctx);
  if (!src) return;
  const to = f.to;
  const ns = to.namespace;
  const destObjs = ctx.cluster(to.cluster);
  if (!destObjs) return;
  const cfg = prometheusConfig(src.objs, src.pod);
  if (!cfg) {
    ctx.fail(undefined, `the source pods in ${src.pod.namespace} mount no ConfigMap carrying prometheus.yml`, 'synthesize the monitoring component on this cluster', '', src.objs.cluster);
    return;
  }
  const jobIndex = cfg.jobs.findIndex((j) => j.job_name === f.scrape!.job);
  if (jobIndex < 0) {
    ctx.fail(cfg.entry, `prometheus.yml has no scrape job "${f.scrape.job}"`, `add the job (the component's ScrapeTarget) to scrape_configs`, '/data/prometheus.yml');
    return;
  }
  const job = cfg.jobs[jobIndex];
  const sd = (job.kubernetes_sd_configs ?? []).find((s) => s.role === 'pod');
  if (!sd) {
    ctx.fail(cfg.entry, `job "${job.job_name}" has no kubernetes_sd_configs with role pod, so it never discovers the destination pods`, 'discover the pods with role: pod', '/data/prometheus.yml');
    return;
  }
  if (sd.namespaces?.names && !sd.namespaces.names.includes(ns)) {
    ctx.fail(cfg.entry, `job "${job.job_name}" discovers namespaces ${sd.namespaces.names.join(', ')} but not ${ns}`, `add ${ns} to kubernetes_sd_configs[].namespaces.names`, '/data/prometheus.yml');
  }
  // The target: the destination pods' labels (or the declared example), on the scraped container port.
  const svcSelector = to.kind === 'service' ? (destObjs.find('Service', to.service, ns)?.object as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector : undefined;
  const pods = destObjs.pods.filter((t) => t.namespace === ns && (to.kind === 'pods' ? selects({ matchLabels: to.podLabels }, t.labels) : mapSelects(svcSelector, t.labels)));
  const pod = pods[0];
  const example = f.scrape.exampleTarget ?? {};
  const podLabels = Object.keys(example).some((k) => !k.startsWith('node:')) ? Object.fromEntries(Object.entries(example).filter(([k]) => !k.startsWith('node:'))) : (pod?.labels ?? {});
  const nodeLabels = Object.fromEntries(Object.entries(example).filter(([k]) => k.startsWith('node:')).map(([k, v]) => [k.slice(5), v]));
  // A Service destination is scraped on the container port its Service port targets.
  const sp = to.kind === 'service' ? ((destObjs.find('Service', to.service, ns)?.object as { spec?: { ports?: Array<{ name?: string; port: number; targetPort?: number | string }> } } | undefined)?.spec?.ports ?? []).find((p) => (typeof to.port === 'number' ? p.port === to.port : p.name === to.port)) : undefined;
  const portRef = to.kind === 'pods' ? to.port : (sp?.targetPort ?? sp?.port ?? to.port);
  const cp = pod ? containerPort(pod, typeof portRef === 'string' && /^\d+$/.test(portRef) ? Number(portRef) : portRef) : undefined;
  if (!cp) return; // the network check reports the missing port
  const rules = job.relabel_configs ?? [];
  let lastDrop = -1;
  try {
    for (let i = 0; i < NODE_CANDIDATES; i++) {
      const r = relabel(podTargetLabels({ namespace: ns, labels: podLabels, container: cp.container, port: cp, node: `node-${i}`, nodeLabels, job: job.job_name, metricsPath: job.metrics_path ?? '/metrics' }), rules);
      if (r.kept) {
        lastDrop = -1;
        break;
      }
      lastDrop = r.droppedBy;
    }
  } catch (e) {
    ctx.fail(cfg.entry, `job "${job.job_name}": ${(e as Error).message}`, 'write the regex in the RE2 subset the gate evaluates', '/data/prometheus.yml');
    return;
  }
  if (lastDrop >= 0) {
    const r = rules[lastDrop];
    ctx.fail(
      cfg.entry,
      `job "${job.job_name}" relabel_configs[${lastDrop}] (${r.action ?? 'replace'} ${(r.source_labels ?? []).join(',')} =~ ${r.regex ?? '(.*)'}) drops the target (pod labels ${labelText(podLabels)}, port ${cp.name ?? cp.number})`,
      'make the job keep the destination pods (its selector labels and port name), or fix the pods\' labels',
      '/data/prometheus.yml',
    );
  }
  // Discovery RBAC for the source's ServiceAccount.
  const sa = { namespace: src.pod.namespace, name: src.pod.serviceAccount };
  const reqs = [
    ...(f.scrape.discovers ?? ['pods']).flatMap((resource) => ['list', 'watch'].map((verb) => ({ verb, resource, namespace: ns }))),
    ...(sd.attach_metadata?.node ? ['list', 'watch'].map((verb) => ({ verb, resource: 'nodes' })) : []),
    ...(f.scrape.nonResourceURL ? [{ verb: 'get', nonResourceURL: f.scrape.nonResourceURL }] : []),
  ];
  checkAccess(ctx, src.objs, sa, reqs, src.pod.entry);
}

/** Reports each request the ServiceAccount is not allowed. */
export function checkAccess(ctx: FlowContext, objs: ClusterObjects, sa: { namespace: string; name: string }, reqs: ReadonlyArray<Parameters<typeof allowed>[2]>, workload: Entry): void {
  for (const req of reqs) {
    if (allowed(objs, sa, req)) continue;
    const scope = 'nonResourceURL' in req || req.namespace === undefined ? 'a ClusterRole and ClusterRoleBinding' : `a Role and RoleBinding in namespace ${req.namespace}`;
    ctx.fail(undefined, `ServiceAccount ${sa.namespace}/${sa.name} (used by ${workload.object.kind}/${workload.object.metadata.name}) may not ${describeRequest(req)}`, `grant it with ${scope}`, '', objs.cluster);
  }
}

/** Checks an api-server flow: the source's ServiceAccount holds every declared access, and its path (checkApiServerPath). */
export function checkApiServer(ctx: FlowContext): void {
  const to = ctx.flow.to;
  if (to.kind !== 'api-server') return;
  const src = sourcePods(ctx);
  if (!src) return;
  const declared = ctx.flow.from.kind === 'pods' ? ctx.flow.from.serviceAccount : undefined;
  if (declared && declared !== src.pod.serviceAccount) {
    ctx.fail(src.pod.entry, `the pods run as ServiceAccount ${src.pod.serviceAccount}, not ${declared}`, `set spec.template.spec.serviceAccountName: ${declared}`, '/spec/template/spec/serviceAccountName');
  }
  const sa = { namespace: src.pod.namespace, name: src.pod.serviceAccount };
  checkAccess(ctx, src.objs, sa, to.access.flatMap((a) => a.verbs.map((verb) => ({ verb, resource: a.resource, group: a.group, namespace: a.namespace }))), src.pod.entry);
  checkApiServerPath(ctx, to, src);
}
