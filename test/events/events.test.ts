import { parse } from 'yaml';
import { eventsComponent, monitoringComponent } from '../../charts';
import { formatPlan, parseStack, planSeries, resolveModel } from '../../lib/internal';
import { eventerSeries, KUBE_EVENTER_METRICS } from '../../lib/events';
import { knownMetrics } from '../../lib/monitoring/catalogs';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';
import { Flow } from '../../lib/core/flows';
import { Entry } from '../../lib/validate/types';
import { evaluateFlows } from '../../lib/validate';

/* eslint-disable @typescript-eslint/no-explicit-any */

const demo = () => clone(demoStack()) as any;

describe('kube-eventer objects', () => {
  const result = synthChecked(demoStack());
  const at = (f: string) => objectAt(result, `hub/events/${f}.yaml`);

  test('runs on every monitored cluster by default, in the monitoring namespace', () => {
    const model = resolveModel(parseStack(demoStack()));
    expect(eventsComponent.clusters(model)).toEqual(monitoringComponent.clusters(model).slice().sort());
    expect([...result.files.keys()].filter((f) => f.endsWith('events/deployment-kube-eventer.yaml'))).toEqual(['hub/events/deployment-kube-eventer.yaml', 'line-1/events/deployment-kube-eventer.yaml']);
  });

  test('Deployment: one replica, recreated (never two counting), pinned image, metrics-only flags, PSS restricted, memory limit', () => {
    const d = at('deployment-kube-eventer');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun');
    expect(c.command).toEqual(['/kube-eventer']);
    expect(c.args).toEqual(['--source=kubernetes:https://kubernetes.default', '--healthz-port=8084']);
    expect(c.args.join(' ')).not.toContain('--sink');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8084, protocol: 'TCP' }]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.volumes.every((v: any) => !v.hostPath)).toBe(true);
  });

  test('RBAC: list and watch on core events, cluster-wide, and nothing else', () => {
    expect(at('clusterrole-kube-eventer-monitoring').rules).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] }]);
    const b = at('clusterrolebinding-kube-eventer-monitoring');
    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kube-eventer-monitoring' });
    expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-eventer', namespace: 'monitoring' }]);
  });

  test('NetworkPolicy: only Prometheus in, on 8084; out only DNS and the API server ports', () => {
    const np = at('networkpolicy-kube-eventer');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } }], ports: [{ port: 8084, protocol: 'TCP' }] }]);
    // DNS to the cluster DNS pods; the API server on the port its endpoints serve on (the hub is k3s: 6443; line-1 is
    // generic: 443 or 6443), to any address since the stack does not give the API server's (declared on the policy).
    expect(np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort()).toEqual(['TCP/53', 'TCP/6443', 'UDP/53']);
    expect(np.spec.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    expect(np.metadata.annotations['edgewatt.io/open-egress-ports']).toBe('6443/TCP');
    const edge = objectAt(result, 'line-1/events/networkpolicy-kube-eventer.yaml');
    expect(edge.spec.egress[1].ports.map((p: any) => p.port)).toEqual([443, 6443]);
  });

  test('scrape job keeps the exporter\'s namespace label (honor_labels) and adds the cluster label, on every cluster', () => {
    for (const cluster of ['hub', 'line-1']) {
      const prom = parse(objectAt(result, `${cluster}/monitoring/configmap-prometheus-config.yaml`).data['prometheus.yml']);
      const job = prom.scrape_configs.find((s: any) => s.job_name === 'kube-eventer');
      expect(job.honor_labels).toBe(true);
      expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual(['monitoring']);
      expect(job.relabel_configs.at(-1)).toEqual({ target_label: 'cluster', replacement: cluster, action: 'replace' });
      // No relabel rule writes a `namespace` target label that could collide.
      expect(job.relabel_configs.some((r: any) => r.target_label === 'namespace')).toBe(false);
    }
  });

  test('the image is overridable, and a mirror keeps every other field', () => {
    const s = demo();
    s.monitoring.events = { image: 'registry.factory.example/mirror/kube-eventer:v1.2.7-ca03be0-aliyun', resources: { limits: { memory: '512Mi' } } };
    const d = objectAt(synthChecked(s), 'hub/events/deployment-kube-eventer.yaml');
    expect(d.spec.template.spec.containers[0].image).toBe('registry.factory.example/mirror/kube-eventer:v1.2.7-ca03be0-aliyun');
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } });
  });
});

describe('monitoring.events in the stack', () => {
  test('off: no exporter, no event rules, no dashboard', () => {
    const s = demo();
    s.monitoring.events = { enabled: false };
    const r = synthChecked(s);
    expect([...r.files.keys()].some((f) => f.includes('/events/'))).toBe(false);
    expect(Object.keys(objectAt(r, 'hub/monitoring/configmap-prometheus-rules.yaml').data)).not.toContain('edgewatt-events.rules.yaml');
    expect([...r.files.keys()].some((f) => f.includes('kubernetes-events'))).toBe(false);
  });

  test('narrowed to one cluster: the other has no exporter, and the Down alert expects only that one', () => {
    const s = demo();
    s.monitoring.events = { clusters: ['line-1'] };
    const r = synthChecked(s);
    expect(r.files.has('hub/events/deployment-kube-eventer.yaml')).toBe(false);
    expect(r.files.has('line-1/events/deployment-kube-eventer.yaml')).toBe(true);
    const rules = parse(objectAt(r, 'hub/monitoring/configmap-prometheus-rules.yaml').data['edgewatt-events.rules.yaml']);
    expect(rules.groups[0].rules.find((x: any) => x.alert === 'KubeEventerDown').expr).toBe('up{job="kube-eventer"} == 0 or absent(up{job="kube-eventer", cluster="line-1"})');
  });

  test('bad input names each field and the fix, all at once', () => {
    const s = demo();
    s.monitoring.events = { clusters: ['line-2'], image: 'registry.example/kube-eventer:latest', eventsPerMinute: 0, allowedRegistries: ['https://quay.io'] };
    let message = '';
    try {
      resolveModel(parseStack(s));
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toContain('monitoring.events.image');
    expect(message).toContain('must not use the :latest tag');
    expect(message).toContain('monitoring.events.eventsPerMinute');
    expect(message).toContain('monitoring.events.allowedRegistries[0]');
    const t = demo();
    t.monitoring.events = { clusters: ['line-2'] };
    expect(() => resolveModel(parseStack(t))).toThrow(/monitoring\.events\.clusters\[0\].*no cluster named "line-2".*line-1/s);
  });
});

describe('flows of the event exporter, proven by the flow gate on the synthesized objects', () => {
  const result = synthChecked(demoStack());
  const FLOWS: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;
  const eventerFlows = (cluster: string) => FLOWS.filter((f) => f.id.includes(`${cluster}/monitoring/kube-eventer`));
  const entries = (edit: (o: any) => unknown = () => false): Entry[] =>
    [...result.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => {
      const o = parse(text);
      if (f.startsWith('hub/')) edit(o);
      return { file: `dist/${f}`, cluster: f.split('/')[0], object: o };
    });
  const blocked = (es: Entry[]) => evaluateFlows(FLOWS, es).filter((v) => !v.ok);

  test('each cluster has Prometheus → exporter (scrape) and exporter → API server (list/watch events), and both pass', () => {
    for (const cluster of ['hub', 'line-1']) expect(eventerFlows(cluster).map((f) => f.purpose).sort()).toEqual(['api-server', 'scrape']);
    expect(blocked(entries())).toEqual([]);
  });

  const broken: Array<[string, (o: any) => unknown, string, RegExp]> = [
    ['the NetworkPolicy admits another pod', (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kube-eventer' && (o.spec.ingress[0].from[0].podSelector.matchLabels = { app: 'other' }), 'scrape', /no ingress rule admits/],
    ['the NetworkPolicy port is wrong', (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kube-eventer' && (o.spec.ingress[0].ports[0].port = 8080), 'scrape', /no ingress rule admits/],
    ['the scrape job keeps another pod', (o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config' && (o.data['prometheus.yml'] = o.data['prometheus.yml'].replace('regex: kube-eventer', 'regex: kube-eventr')), 'scrape', /kube-eventer/],
    ['the ClusterRole lost watch', (o) => o.kind === 'ClusterRole' && o.metadata.name === 'kube-eventer-monitoring' && (o.rules[0].verbs = ['list']), 'api-server', /may not watch events/],
    ['the binding names another account', (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'kube-eventer-monitoring' && (o.subjects[0].name = 'default'), 'api-server', /may not list events/],
    ['the source flag changed', (o) => o.kind === 'Deployment' && o.metadata.name === 'kube-eventer' && (o.spec.template.spec.containers[0].args[0] = '--source=kubernetes:https://10.0.0.1'), 'api-server', /--source/],
  ];
  test.each(broken)('a hand edit blocks the flow: %s', (_what, edit, purpose, expected) => {
    const out = blocked(entries(edit));
    const mine = out.filter((v) => v.flow.purpose === purpose && v.flow.id.includes('hub/monitoring/kube-eventer'));
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0])).toMatch(expected);
  });
});

describe('operator mode', () => {
  const s = demo();
  s.monitoring.mode = 'prometheus-operator';
  // Devices write to the install's declared receiver in this mode; the bundled receiver and device gateway are not used.
  s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
  delete s.monitoring.receiver;
  delete s.fleet.receiver;
  const result = synthChecked(s);

  test('a PodMonitor that honors the exporter\'s namespace label, and a PrometheusRule with the event alerts', () => {
    // The monitoring component emits every component's PodMonitor and PrometheusRule in this mode.
    const pm = objectAt(result, 'line-1/monitoring/podmonitor-kube-eventer.yaml');
    expect(pm.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'kube-eventer', 'app.kubernetes.io/instance': 'kube-eventer' } });
    expect(pm.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http', path: '/metrics', honorLabels: true });
    const rule = objectAt(result, 'line-1/monitoring/prometheusrule-edgewatt-events.yaml');
    const alerts = rule.spec.groups[0].rules.map((r: any) => r.alert);
    expect(alerts).toContain('KubeEventPodEvicted');
    // Each cluster's own Prometheus: no cluster names in the absent() check.
    expect(rule.spec.groups[0].rules.find((r: any) => r.alert === 'KubeEventerDown').expr).toBe('up{job="kube-eventer"} == 0 or absent(up{job="kube-eventer"})');
    const np = objectAt(result, 'line-1/events/networkpolicy-kube-eventer.yaml');
    // The operator's Prometheus or PrometheusAgent pods (prometheus-operator v0.93.0 makeSelectorLabels).
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['prometheus', 'prometheus-agent'] }] } }]);
  });
});

describe('alert routing, catalog and plan', () => {
  const result = synthChecked(demoStack());

  test('an event alert that kube-state-metrics already pages for is inhibited by it, on labels both alerts carry', () => {
    const am = parse(objectAt(result, 'hub/monitoring/configmap-alertmanager-config.yaml').data['alertmanager.yml']);
    const rules = Object.values(objectAt(result, 'hub/monitoring/configmap-prometheus-rules.yaml').data as Record<string, string>).flatMap((t) => parse(t).groups.flatMap((g: any) => g.rules));
    const byName = new Map(rules.filter((r: any) => r.alert).map((r: any) => [r.alert, r]));
    const inhibits = am.inhibit_rules.filter((r: any) => r.target_matchers[0].startsWith('alertname="KubeEvent'));
    expect(inhibits.map((r: any) => `${r.source_matchers[0]} -> ${r.target_matchers[0]}`)).toEqual([
      'alertname="KubeNodeNotReady" -> alertname="KubeEventNodeNotReady"',
      'alertname="KubePodCrashLooping" -> alertname="KubeEventPodCrashLooping"',
    ]);
    for (const i of inhibits) {
      const source = byName.get(/"(.*)"/.exec(i.source_matchers[0])![1]) as any;
      const target = byName.get(/"(.*)"/.exec(i.target_matchers[0])![1]) as any;
      expect(source).toBeDefined();
      // The event alert aggregates to exactly these labels; the kube-state-metrics one keeps the series' labels.
      for (const l of i.equal) expect(target.expr).toMatch(new RegExp(`sum by \\([^)]*\\b${l}\\b`));
      expect(source.expr).toContain('job="kube-state-metrics"');
    }
  });

  test('the metric catalog holds kube-eventer\'s families, so the metric-name gate checks event queries', () => {
    const known = knownMetrics(resolveModel(parseStack(demoStack())));
    for (const m of KUBE_EVENTER_METRICS) expect(known.has(m.name)).toBe(true);
    expect(known.has('eventer_events_total')).toBe(false);
    const s = demo();
    s.monitoring.events = { enabled: false };
    expect(knownMetrics(resolveModel(parseStack(s))).has('eventer_events_error_total')).toBe(false);
  });

  test('the Kubernetes Events dashboard: reasons, clusters/namespaces, top objects, triaged errors, exporter health', () => {
    const text = objectAt(result, 'hub/dashboards/configmap-dashboard-kubernetes-events.yaml').data['kubernetes-events.json'];
    const json = JSON.parse(text);
    expect(json.uid).toBe('edgewatt-kubernetes-events');
    const titles = json.panels.map((p: any) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Warning events by reason, per 10m', 'Warning events by cluster and namespace, per 10m', 'Top 10 involved objects, per 10m', 'Triaged errors in the last 10m (kube-eventer categories)', 'Exporters up']));
    expect(json.panels.find((p: any) => p.type === 'table').targets[0].format).toBe('table');
  });

  test('edgewatt plan: series per cluster from the declared event rate', () => {
    const model = resolveModel(parseStack(demoStack()));
    const p = planSeries(model);
    const row = p.rows.find((r) => r.what.startsWith('kube-eventer'))!;
    // hub: dashboards, energy, fleet, kepler, monitoring = 5 namespaces (line-1 has 4): 5 × 1440 + 15 × (5 + 4) + 50.
    expect(row).toEqual({ what: 'kube-eventer on 2 clusters (5 Warning events/min, 1 day without restart)', targets: 2, targetsWithPolicy: 2, seriesEach: 7200 + 135 + 50, intervalSeconds: 30 });
    expect(eventerSeries(5, 5)).toBe(7385);
    const s = demo();
    s.monitoring.events = { eventsPerMinute: 0.5 };
    expect(planSeries(resolveModel(parseStack(s))).rows.find((r) => r.what.startsWith('kube-eventer'))!.seriesEach).toBe(720 + 135 + 50);
    expect(formatPlan(p)).toContain('kube-eventer: worst case');
  });
});
