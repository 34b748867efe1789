import { parse } from 'yaml';
import { SpecError, SynthResult } from '../../lib/internal';
import { EXTERNAL_REFS_ANNOTATION } from '../../lib/core/policy';
import { selectorMatches } from '../../lib/validate/pods';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

const RECEIVER = 'https://prometheus.factory.example/api/v1/write';

/** The demo in prometheus-operator mode, with a scraped IoMT thing and the given install. */
function operatorStack(operator: Record<string, unknown> = {}): any {
  const s = clone(demoStack()) as any;
  s.monitoring.mode = 'prometheus-operator';
  s.monitoring.operator = { receiverURL: RECEIVER, ...operator };
  s.iomt.pipelines[0].things.find((t: any) => t.name === 'object-detect').metricsPort = 9100;
  return s;
}

interface Placed {
  readonly cluster: string;
  readonly o: any;
}

function objects(r: SynthResult): Placed[] {
  return r.manifests.flatMap((m) => m.objects.map((o) => ({ cluster: m.cluster, o })));
}

function applications(r: SynthResult): any[] {
  return [...r.files.keys()].filter((f) => /^[^/]+\/argocd\/application-.*\.yaml$/.test(f)).map((f) => objectAt(r, f));
}

/** Pod templates of every workload, with cluster and namespace. */
function podTemplates(r: SynthResult): Array<{ cluster: string; namespace: string; labels: Record<string, string>; ports: any[] }> {
  return objects(r)
    .filter(({ o }) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))
    .map(({ cluster, o }) => ({
      cluster,
      namespace: o.metadata.namespace,
      labels: o.spec.template.metadata.labels,
      ports: o.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []),
    }));
}

/** Whether a Role bound to the ServiceAccount in `ns` allows `verb` on core `resource`. */
function allowed(r: SynthResult, cluster: string, ns: string, sa: { name: string; namespace: string }, verb: string, resource: string): boolean {
  const here = objects(r).filter((p) => p.cluster === cluster && p.o.metadata.namespace === ns).map((p) => p.o);
  const bound = here
    .filter((o) => o.kind === 'RoleBinding' && o.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace))
    .map((b) => b.roleRef.name);
  return here.some((o) => o.kind === 'Role' && bound.includes(o.metadata.name) && o.rules.some((x: any) => x.apiGroups.includes('') && x.resources.includes(resource) && x.verbs.includes(verb)));
}

describe('Prometheus-Operator mode', () => {
  // kube-prometheus-stack 88.5.3 (prometheus-community/helm-charts, charts/kube-prometheus-stack/templates/
  // prometheus/prometheus.yaml with values.yaml's *SelectorNilUsesHelmValues: true): the Prometheus selects
  // PodMonitors and PrometheusRules by `release: <Release.Name>`, in every namespace (`*NamespaceSelector: {}`).
  test('kube-prometheus-stack: every PodMonitor and PrometheusRule carries the release label its Prometheus selects', () => {
    const r = synthChecked(operatorStack({ layout: 'kube-prometheus-stack', release: 'observability' }));
    const selector = { matchLabels: { release: 'observability' } };
    const selected = objects(r).filter(({ o }) => o.kind === 'PodMonitor' || o.kind === 'PrometheusRule');
    expect(selected.filter(({ o }) => o.kind === 'PodMonitor').length).toBeGreaterThan(0);
    expect(selected.filter(({ o }) => o.kind === 'PrometheusRule').length).toBeGreaterThan(0);
    for (const { o } of selected) expect([o.kind, o.metadata.name, selectorMatches(selector, o.metadata.labels ?? {})]).toEqual([o.kind, o.metadata.name, true]);
    // A different release selects none of them.
    expect(selected.some(({ o }) => selectorMatches({ matchLabels: { release: 'kube-prometheus-stack' } }, o.metadata.labels ?? {}))).toBe(false);
  });

  // kube-prometheus v0.18.0 (jsonnet/kube-prometheus/components/prometheus.libsonnet): every selector is {} (all
  // objects, all namespaces), but ServiceAccount prometheus-k8s in monitoring has Roles only in default,
  // kube-system and monitoring (`roleSpecificNamespaces`): anywhere else it cannot discover the pods.
  test('kube-prometheus: the ServiceAccount prometheus-k8s may list and watch pods in every namespace holding a PodMonitor', () => {
    const r = synthChecked(operatorStack({ layout: 'kube-prometheus' }));
    const sa = { name: 'prometheus-k8s', namespace: 'monitoring' };
    const monitors = objects(r).filter(({ o }) => o.kind === 'PodMonitor');
    const namespaces = [...new Set(monitors.map(({ cluster, o }) => `${cluster}/${o.metadata.namespace}`))].sort();
    expect(namespaces).toEqual(['hub/dashboards', 'hub/kepler', 'hub/monitoring', 'line-1/iomt-object-detection', 'line-1/kepler', 'line-1/monitoring']);
    for (const key of namespaces) {
      const [cluster, ns] = key.split('/');
      for (const verb of ['list', 'watch']) expect([key, verb, allowed(r, cluster, ns, sa, verb, 'pods')]).toEqual([key, verb, true]);
    }
    // Its own NetworkPolicy admits only its namespace's Grafana: an extra one admits the stack's Grafana namespace,
    // selecting the Prometheus pods by the labels kube-prometheus gives them (manifests/prometheus-prometheus.yaml).
    const policies = objects(r).filter(({ cluster, o }) => cluster === 'hub' && o.kind === 'NetworkPolicy' && o.metadata.namespace === 'monitoring').map(({ o }) => o);
    const kubePrometheusPods = { 'app.kubernetes.io/component': 'prometheus', 'app.kubernetes.io/instance': 'k8s', 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/part-of': 'kube-prometheus' };
    expect(policies.filter((p) => selectorMatches(p.spec.podSelector, kubePrometheusPods)).flatMap((p) => p.spec.ingress)).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dashboards' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'grafana', 'app.kubernetes.io/name': 'grafana' } } }], ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
    // The components' policies admit the install's Prometheus pods (the operator's `app.kubernetes.io/name:
    // prometheus`, or `prometheus-agent` for a PrometheusAgent), which kube-prometheus's pods carry, and no other
    // pod of its namespace.
    const scrapePeers = objects(r)
      .filter(({ o }) => o.kind === 'NetworkPolicy')
      .flatMap(({ o }) => o.spec.ingress ?? [])
      .flatMap((rule: any) => rule.from ?? [])
      .filter((peer: any) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring');
    expect(scrapePeers.length).toBeGreaterThan(0);
    for (const peer of scrapePeers) {
      expect(peer.podSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['prometheus', 'prometheus-agent'] }] });
      expect(selectorMatches(peer.podSelector, kubePrometheusPods)).toBe(true);
      expect(selectorMatches(peer.podSelector, { 'app.kubernetes.io/name': 'prometheus-agent', 'app.kubernetes.io/instance': 'edge' })).toBe(true);
      expect(selectorMatches(peer.podSelector, { 'app.kubernetes.io/name': 'grafana' })).toBe(false);
    }
    // With the model server's online trainer, its pods are admitted too (it queries the install's Prometheus).
    const trained = operatorStack({ layout: 'kube-prometheus' });
    trained.energy.modelServer.onlineTrainer = true;
    const clients = objects(synthChecked(trained)).find(({ cluster, o }) => cluster === 'hub' && o.kind === 'NetworkPolicy' && o.metadata.name === 'edgewatt-prometheus-clients')!.o;
    expect(clients.spec.ingress[0].from[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'energy' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'kepler-model-server', 'app.kubernetes.io/name': 'kepler-model-server' } } });
    // Selected by the empty selector as they are: no label is required.
    for (const { o } of monitors) expect(selectorMatches({}, o.metadata.labels)).toBe(true);
    // The selection policy's `always` labels need node metadata: Prometheus must list and watch Nodes.
    const crb = objects(r).filter(({ o }) => o.kind === 'ClusterRoleBinding' && o.subjects.some((s: any) => s.name === sa.name && s.namespace === sa.namespace));
    expect(crb.map(({ cluster }) => cluster).sort()).toEqual(['hub', 'line-1']);
    const role = objects(r).find(({ o }) => o.kind === 'ClusterRole' && o.metadata.name === crb[0].o.roleRef.name)!.o;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
  });

  test('every scrape target of every component becomes a PodMonitor that selects its pods and port, with its job name', () => {
    const r = synthChecked(operatorStack());
    const monitors = objects(r).filter(({ o }) => o.kind === 'PodMonitor');
    expect(monitors.map(({ cluster, o }) => `${cluster}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'hub/dashboards/grafana',
      'hub/kepler/kepler-exporter',
      'hub/monitoring/kube-eventer',
      'line-1/iomt-object-detection/iomt-object-detection-object-detect',
      'line-1/kepler/kepler-exporter',
      'line-1/monitoring/kube-eventer',
    ]);
    const templates = podTemplates(r);
    for (const { cluster, o } of monitors) {
      const pods = templates.filter((t) => t.cluster === cluster && t.namespace === o.metadata.namespace && selectorMatches(o.spec.selector, t.labels));
      expect([o.metadata.name, pods.length]).toEqual([o.metadata.name, 1]);
      const ep = o.spec.podMetricsEndpoints[0];
      expect(pods[0].ports.some((p) => p.name === ep.port)).toBe(true);
      // The job label the alerts use (e.g. up{job="kepler-exporter"}) and the cluster label, as in bundled mode.
      expect(ep.relabelings).toEqual(expect.arrayContaining([
        { action: 'replace', replacement: o.metadata.name, targetLabel: 'job' },
        { action: 'replace', replacement: cluster, targetLabel: 'cluster' },
      ]));
    }
    // No component folder emits monitors of its own any more: one place, the monitoring component.
    expect(r.manifests.filter((m) => m.component !== 'monitoring' && m.objects.some((o) => o.kind === 'PodMonitor'))).toEqual([]);
  });

  test('the install\'s namespace is external: no Namespace object, no Pod Security labels, no Application that could delete it', () => {
    const r = synthChecked(operatorStack());
    const all = objects(r);
    expect(all.filter(({ o }) => o.kind === 'Namespace' && o.metadata.name === 'monitoring')).toEqual([]);
    expect(all.filter(({ o }) => o.kind === 'Namespace').map(({ o }) => o.metadata.name)).toContain('kepler');
    // What edgewatt places there says so, and the namespace check (run by synthChecked) accepts it.
    const inside = all.filter(({ o }) => o.metadata.namespace === 'monitoring');
    expect(inside.length).toBeGreaterThan(0);
    for (const { o } of inside) expect(o.metadata.annotations?.[EXTERNAL_REFS_ANNOTATION]?.split(',')).toContain('Namespace/monitoring');
    // The project lets the stack deploy into it (rules), so Argo CD syncs them.
    const project = parse(r.bootstrap.get('appproject-smart-factory.yaml')!);
    expect(project.spec.destinations).toContainEqual({ server: 'https://kubernetes.default.svc', namespace: 'monitoring' });
    // kube-prometheus-stack ships no NetworkPolicy by default: edgewatt adds none that would isolate its Prometheus.
    // The only policies there select edgewatt's own pods (kube-eventer runs in the monitoring namespace).
    const own = inside.filter(({ o }) => o.kind === 'Deployment').map(({ o }) => o.spec.template.metadata.labels);
    for (const { o } of inside.filter(({ o }) => o.kind === 'NetworkPolicy')) {
      const sel = o.spec.podSelector.matchLabels ?? {};
      expect(Object.keys(sel).length).toBeGreaterThan(0);
      expect(own.some((l: any) => Object.entries(sel).every(([k, v]) => l[k] === v))).toBe(true);
    }
  });

  test('a namespace set apart for edgewatt\'s rules is created; the install\'s stays external; scrapes are admitted from the install\'s', () => {
    const s = operatorStack({ namespace: 'prometheus' });
    s.monitoring.namespace = 'edgewatt-rules';
    const r = synthChecked(s);
    const namespaces = objects(r).filter(({ o }) => o.kind === 'Namespace').map(({ cluster, o }) => `${cluster}/${o.metadata.name}`);
    expect(namespaces).toEqual(expect.arrayContaining(['hub/edgewatt-rules', 'line-1/edgewatt-rules']));
    expect(namespaces.filter((n) => n.endsWith('/prometheus'))).toEqual([]);
    expect(objects(r).filter(({ o }) => o.kind === 'PrometheusRule').every(({ o }) => o.metadata.namespace === 'edgewatt-rules')).toBe(true);
    const netpol = objectAt(r, 'hub/energy/networkpolicy-kepler-exporter.yaml');
    expect(netpol.spec.ingress.flatMap((i: any) => i.from ?? []).map((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'])).toEqual(['prometheus']);
  });

  test('no Prometheus Operator CRDs Application: the install owns its CRDs', () => {
    const r = synthChecked(operatorStack());
    const apps = applications(r);
    expect(apps.length).toBeGreaterThan(0);
    expect(apps.filter((a) => a.spec.source.path?.includes('crd') || a.metadata.name.includes('crd'))).toEqual([]);
    expect(apps.filter((a) => a.spec.destination.namespace === 'default')).toEqual([]);
  });

  test('devices write to the declared receiver; Grafana queries the install\'s Prometheus Service', () => {
    const r = synthChecked(operatorStack({ release: 'prometheus' }));
    const set = objectAt(r, 'hub/fleet/edgedeviceset-cameras.yaml');
    expect(set.spec.metrics.receiverConfiguration.url).toBe(RECEIVER);
    const ds = parse(objectAt(r, 'hub/dashboards/configmap-grafana-provisioning.yaml').data['datasources.yaml']);
    // kube-prometheus-stack 88.5.3 _helpers.tpl: fullname "prometheus-kube-prometheus-stack" truncated to 26.
    expect(ds.datasources.find((d: any) => d.type === 'prometheus').url).toBe('http://prometheus-kube-prometheus-prometheus.monitoring.svc.cluster.local:9090');
  });

  test('fails, naming the field and the fix, when devices send metrics and no receiver is declared', () => {
    const s = operatorStack();
    delete s.monitoring.operator.receiverURL;
    expect(() => synthChecked(s)).toThrow(SpecError);
    expect(() => synthChecked(s)).toThrow(/monitoring\.operator\.receiverURL: is required: fleet devices send their metrics by remote write.*declare its external URL here/);
    // The same without devices is a valid stack.
    delete s.fleet;
    s.iomt.pipelines[0].things = s.iomt.pipelines[0].things.filter((t: any) => !t.device);
    s.iomt.pipelines[0].links = s.iomt.pipelines[0].links.filter((l: any) => l.from !== 'camera');
    s.iomt.pipelines[0].things.find((t: any) => t.name === 'object-detect').kind = 'MSensor';
    expect(() => synthChecked(s)).not.toThrow();
  });

  test('fails when the receiver only resolves inside a cluster, or operator settings are given in bundled mode', () => {
    expect(() => synthChecked(operatorStack({ receiverURL: 'http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write' }))).toThrow(
      /monitoring\.operator\.receiverURL: "http:\/\/prometheus\.monitoring\.svc\.cluster\.local:9090\/api\/v1\/write" resolves only inside a cluster/,
    );
    const s = operatorStack();
    s.monitoring.mode = 'bundled';
    expect(() => synthChecked(s)).toThrow(/monitoring\.operator: describes an existing Prometheus Operator install, used only in prometheus-operator mode/);
  });

  test('install: a pinned kube-prometheus-stack Helm Application per cluster, before the monitors, whose release selects them', () => {
    const r = synthChecked(operatorStack({ install: true, release: 'kps' }));
    const apps = applications(r);
    const kps = apps.filter((a) => a.spec.source.chart === 'kube-prometheus-stack');
    expect(kps.map((a) => a.metadata.labels['edgewatt.io/cluster']).sort()).toEqual(['hub', 'line-1']);
    const wave = (a: any) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']);
    for (const a of kps) {
      expect(a.spec.source.repoURL).toBe('https://prometheus-community.github.io/helm-charts');
      expect(a.spec.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
      expect(a.spec.source.targetRevision).toBe('88.5.3');
      expect(a.spec.source.helm.releaseName).toBe('kps');
      expect(a.spec.destination.namespace).toBe('monitoring');
      expect(a.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
      const cluster = a.metadata.labels['edgewatt.io/cluster'];
      const monitoring = apps.find((x) => x.metadata.name === `smart-factory-${cluster}-monitoring`);
      expect(wave(a)).toBeLessThan(wave(monitoring));
    }
    const spec = (c: string) => kps.find((a) => a.metadata.labels['edgewatt.io/cluster'] === c).spec.source.helm.valuesObject.prometheus.prometheusSpec;
    expect(spec('hub')).toEqual({ enableRemoteWriteReceiver: true, externalLabels: { cluster: 'hub' } });
    expect(spec('line-1')).toEqual({ externalLabels: { cluster: 'line-1' }, remoteWrite: [{ name: 'hub', url: RECEIVER }] });
    // The project admits where the chart deploys: its namespace, and kube-system (its control-plane exporters' Services).
    const project = parse(r.bootstrap.get('appproject-smart-factory.yaml')!);
    for (const server of ['https://kubernetes.default.svc', 'https://line-1.factory.example:6443']) {
      for (const namespace of ['monitoring', 'kube-system']) expect(project.spec.destinations).toContainEqual({ server, namespace });
    }
    expect(project.spec.sourceRepos).toContain('https://prometheus-community.github.io/helm-charts');
    // The other clusters write to the hub, which evaluates every rule group once (as bundled mode does).
    const rules = objects(r).filter(({ o }) => o.kind === 'PrometheusRule');
    expect([...new Set(rules.map(({ cluster }) => cluster))]).toEqual(['hub']);
    expect(rules.map(({ o }) => o.metadata.name).sort()).toEqual(['edgewatt-energy', 'edgewatt-energy-components', 'edgewatt-events', 'edgewatt-kubernetes-alerts', 'edgewatt-stack-alerts']);
    // The release the chart renders into its selectors is the label every monitor carries; their CRDs come with
    // the chart's Application, so Argo CD skips their dry run while the CRDs are missing.
    const custom = objects(r).filter((p) => p.o.kind === 'PodMonitor' || p.o.kind === 'PrometheusRule');
    for (const { o } of custom) {
      expect(o.metadata.labels.release).toBe('kps');
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    }
    // The ServiceAccount bound for discovery is the chart's: <fullname>-prometheus, fullname "kps-kube-prometheus-stack".
    const bindings = objects(r).filter(({ o }) => o.kind === 'RoleBinding');
    expect(bindings.length).toBeGreaterThan(0);
    for (const { o } of bindings) expect(o.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kps-kube-prometheus-stack-prometheus', namespace: 'monitoring' }]);
  });

  test('install with kube-prometheus layout, or edge clusters without a receiver, fail with the field', () => {
    expect(() => synthChecked(operatorStack({ install: true, layout: 'kube-prometheus' }))).toThrow(/monitoring\.operator\.install: installs the kube-prometheus-stack chart, but monitoring\.operator\.layout is kube-prometheus/);
    expect(() => synthChecked(operatorStack({ install: true, release: 'kps', serviceAccount: 'prometheus' }))).toThrow(
      /monitoring\.operator\.serviceAccount: is "prometheus", but the installed chart names it "kps-kube-prometheus-stack-prometheus" after the release "kps"/,
    );
    const s = operatorStack({ install: true });
    delete s.monitoring.operator.receiverURL;
    delete s.fleet;
    s.iomt.pipelines[0].things = s.iomt.pipelines[0].things.filter((t: any) => !t.device);
    s.iomt.pipelines[0].links = s.iomt.pipelines[0].links.filter((l: any) => l.from !== 'camera');
    s.iomt.pipelines[0].things.find((t: any) => t.name === 'object-detect').kind = 'MSensor';
    expect(() => synthChecked(s)).toThrow(/monitoring\.operator\.receiverURL: is required: the installed kube-prometheus-stack on "line-1" remote-writes to the hub's receiver/);
  });
});

describe('KubeStateMetricsDown: only where edgewatt runs kube-state-metrics', () => {
  const alertsNamed = (r: SynthResult, name: string) =>
    objects(r).flatMap((p) => {
      if (p.o.kind === 'PrometheusRule') return (p.o.spec.groups as any[]).flatMap((g) => g.rules).filter((x: any) => x.alert === name);
      if (p.o.kind === 'ConfigMap' && p.o.metadata.name === 'prometheus-rules') {
        return Object.values(p.o.data as Record<string, string>).flatMap((text) => (parse(text).groups as any[]).flatMap((g) => g.rules)).filter((x: any) => x.alert === name);
      }
      return [];
    });

  test('bundled: one alert, absent() for each cluster that runs anything, not for a cluster that runs nothing', () => {
    const s = clone(demoStack()) as any;
    s.clusters.push({ name: 'spare', server: 'https://spare.factory.example:6443' });
    s.energy.kepler.clusters = ['hub', 'line-1'];
    const [alert] = alertsNamed(synthChecked(s), 'KubeStateMetricsDown');
    expect(alert.expr).toBe('up{job="kube-state-metrics"} == 0 or absent(up{job="kube-state-metrics", cluster="hub"}) or absent(up{job="kube-state-metrics", cluster="line-1"})');
  });

  test('prometheus-operator mode: none (the install runs its own kube-state-metrics, and alerts on it)', () => {
    expect(alertsNamed(synthChecked(operatorStack()), 'KubeStateMetricsDown')).toEqual([]);
    expect(alertsNamed(synthChecked(operatorStack()), 'KubeNodeNotReady').length).toBeGreaterThan(0);
  });
});
