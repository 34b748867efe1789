import { parse } from 'yaml';
import { fleetComponent } from '../../charts/fleet';
import { COMPONENT_REGISTRY as registry } from '../../charts';
import { parseStack } from '../../lib/internal';
import { resolveModel } from '../../lib/model';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

/**
 * The Flotta operator as its v0.2.0 kustomize overlay config/k8s runs it (facts read upstream, see
 * lib/fleet/flotta-operator.ts): pods labelled app=flotta-controller-manager / app=flotta-edge-api in namespace
 * flotta, each with a kube-rbac-proxy container port named https (8443) that serves /metrics to a bearer
 * token allowed to `get` the /metrics nonResourceURL.
 */
const UPSTREAM = [
  { app: 'flotta-controller-manager', service: 'flotta-controller-manager-metrics-service' },
  { app: 'flotta-edge-api', service: 'flotta-edge-api' },
];

/** Applies keep/drop/replace relabel rules to discovered meta labels, as Prometheus does; undefined when dropped. */
function relabel(rules: any[], meta: Record<string, string>): Record<string, string> | undefined {
  const l = { ...meta };
  for (const r of rules) {
    const value = (r.source_labels ?? []).map((s: string) => l[s] ?? '').join(r.separator ?? ';');
    const re = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const action = r.action ?? 'replace';
    if (action === 'keep' && !re.test(value)) return undefined;
    if (action === 'drop' && re.test(value)) return undefined;
    if (action === 'replace') {
      const m = re.exec(value);
      if (m) l[r.target_label] = (r.replacement ?? '$1').replace(/\$(\d)/g, (_: string, i: string) => m[Number(i)] ?? '');
    }
  }
  return l;
}

describe('the Flotta operator is scraped (bundled mode)', () => {
  const r = synthChecked(demoStack());
  const config = parse(objectAt(r, 'hub/monitoring/configmap-prometheus-config.yaml').data['prometheus.yml']);
  const sts = objectAt(r, 'hub/monitoring/statefulset-prometheus.yaml');
  const promNs = sts.metadata.namespace;
  const promSa = sts.spec.template.spec.serviceAccountName;
  const objects = [...r.files.keys()].filter((f) => f.startsWith('hub/') && f.endsWith('.yaml')).map((f) => objectAt(r, f));

  test.each(UPSTREAM)('a job keeps the $app kube-rbac-proxy port and scrapes it over https with the service account token', ({ app }) => {
    const target = { __meta_kubernetes_namespace: 'flotta', __meta_kubernetes_pod_label_app: app, __meta_kubernetes_pod_container_port_name: 'https', __meta_kubernetes_pod_phase: 'Running', __meta_kubernetes_pod_node_name: 'n1' };
    const jobs = config.scrape_configs.filter((j: any) => (j.kubernetes_sd_configs ?? []).some((sd: any) => sd.namespaces?.names?.includes('flotta')) && relabel(j.relabel_configs, target));
    expect(jobs.map((j: any) => j.job_name)).toEqual([app]);
    const job = jobs[0];
    // The manager's plain metrics port (8080, name "metrics") is only reachable inside the pod: not kept.
    expect(relabel(job.relabel_configs, { ...target, __meta_kubernetes_pod_container_port_name: 'metrics' })).toBeUndefined();
    expect(job.scheme).toBe('https');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
    // kube-rbac-proxy v0.11.0 without --tls-cert-file serves a self-signed certificate: nothing to verify it against.
    expect(job.tls_config).toEqual({ insecure_skip_verify: true });
    expect(relabel(job.relabel_configs, target)).toMatchObject({ cluster: 'hub' });
  });

  test('Prometheus has the token mounted, may get /metrics and may discover pods in the operator namespace', () => {
    const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === promSa && o.metadata.namespace === promNs);
    expect(sa.automountServiceAccountToken).not.toBe(false);
    expect(sts.spec.template.spec.automountServiceAccountToken).not.toBe(false);
    const boundTo = (kind: string, ns?: string) =>
      objects
        .filter((b) => b.kind === kind && (ns === undefined || b.metadata.namespace === ns))
        .filter((b) => b.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === promSa && s.namespace === promNs))
        .map((b) => objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (b.roleRef.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace)));
    const cluster = boundTo('ClusterRoleBinding').flatMap((cr) => cr.rules);
    expect(cluster.some((rule: any) => rule.nonResourceURLs?.includes('/metrics') && rule.verbs.includes('get'))).toBe(true);
    const inFlotta = boundTo('RoleBinding', 'flotta').flatMap((ro) => ro.rules);
    expect(inFlotta.some((rule: any) => rule.resources.includes('pods') && ['list', 'watch'].every((v) => rule.verbs.includes(v)))).toBe(true);
  });

  test('each scrape is a flow (derived from the scrape target) whose job is in the configuration, authorized on /metrics', () => {
    const model = resolveModel(parseStack(demoStack()));
    const all = registry.flatMap((d) => (d.flows && d.clusters(model).includes('hub') ? d.flows({ model, cluster: model.clusters.find((c) => c.name === 'hub')!, registry }) : []));
    const flows = all.filter((f) => f.purpose === 'scrape' && f.to.kind === 'pods' && f.to.namespace === 'flotta');
    // The pods are the operator's (its Application installs them): the flow carries their labels and port from upstream.
    expect(flows.map((f) => (f.to.kind === 'pods' ? `${f.to.namespace}/${f.to.upstreamPods?.labels.app}:${f.to.port}` : '')).sort()).toEqual(['flotta/flotta-controller-manager:https', 'flotta/flotta-edge-api:https']);
    expect(UPSTREAM.length).toBe(2);
    for (const f of flows) {
      expect(f.purpose).toBe('scrape');
      expect(f.scrape?.nonResourceURL).toBe('/metrics');
      expect(f.from).toMatchObject({ kind: 'pods', cluster: 'hub', namespace: promNs, serviceAccount: promSa });
      const job = config.scrape_configs.find((j: any) => j.job_name === f.scrape!.job);
      expect(job).toBeDefined();
      expect(f.from.kind === 'pods' && Object.entries(f.from.podLabels).every(([k, v]) => sts.spec.template.metadata.labels[k] === v)).toBe(true);
    }
  });

  test('in Prometheus-Operator mode edgewatt declares no Flotta scrape (the existing install owns its monitors)', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.mode = 'prometheus-operator';
    s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
    delete s.monitoring.receiver;
    const model = resolveModel(parseStack(s));
    const all = registry.flatMap((d) => (d.flows && d.clusters(model).includes('hub') ? d.flows({ model, cluster: model.clusters.find((c) => c.name === 'hub')!, registry }) : []));
    expect(all.filter((f) => f.purpose === 'scrape' && f.to.kind !== 'api-server' && f.to.kind !== 'external' && f.to.namespace === 'flotta')).toEqual([]);
    expect(fleetComponent.monitoring!({ model, cluster: model.clusters.find((c) => c.name === 'hub')!, registry }).targets).toEqual([]);
  });
});
