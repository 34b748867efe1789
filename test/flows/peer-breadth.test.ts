/**
 * NetworkPolicies admit the declared flows' source pods, not their whole namespaces (lib/validate/flows/breadth.ts):
 * the demo's policies name the pods of every source the stack runs; taking the podSelector out of any of those peers
 * fails validation at that peer, naming the flows and the labels to add; a namespace-wide peer that an ingress
 * controller's flow comes through, and one no declared flow comes through (an existing install's Grafana), pass.
 */
import { Flow } from '../../lib/core/flows';
import { Entry, findingsToProblems, validateEntries } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';
import { flowOutput } from '../support/flow-output';

const output = flowOutput;

const demo = output(demoStack());

/** The problems the breadth check reports (the flow gate's others say "is blocked"). */
function breadth(entries: Map<string, Entry>, flows: Flow[]): string[] {
  return findingsToProblems(validateEntries([...entries.values()], { flows }))
    .map((p) => `${p.path}: ${p.message}`)
    .filter((p) => p.includes(' admits every pod of ') || p.includes(' admits every source '));
}

/** The demo with the podSelector of one ingress peer taken out. */
function widened(file: string, rule: number, peer: number): Map<string, Entry> {
  const entries = new Map([...demo.entries].map(([k, e]) => [k, { ...e, object: clone(e.object) }]));
  const from = (entries.get(file)!.object as any).spec.ingress[rule].from[peer];
  expect(from.podSelector).toBeDefined();
  delete from.podSelector;
  return entries;
}

test('the demo passes: every peer of a source the stack runs names its pods', () => {
  expect(breadth(demo.entries, demo.flows)).toEqual([]);
  // Its one namespace-wide peer is the ingress controller's (kube-system), which the receiver's ingress flow comes from.
  const wide = [...demo.entries.values()]
    .filter((e) => e.object.kind === 'NetworkPolicy')
    .flatMap((e) => ((e.object as any).spec.ingress ?? []).flatMap((r: any) => (r.from ?? []).filter((p: any) => p.namespaceSelector && !p.podSelector).map((p: any) => `${e.file} ${p.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}`)));
  expect(wide).toEqual(['dist/hub/monitoring/networkpolicy-prometheus-receiver.yaml kube-system']);
});

test.each([
  ['dist/hub/energy/networkpolicy-kepler-exporter.yaml', 0, 0, /namespace monitoring.*scrape:hub\/monitoring\/prometheus->hub\/kepler\/kepler-exporter.*app\.kubernetes\.io\/name=prometheus,app\.kubernetes\.io\/instance=prometheus in monitoring/],
  ['dist/line-1/energy/networkpolicy-kepler-exporter.yaml', 0, 0, /scrape:line-1\/monitoring\/prometheus->line-1\/kepler\/kepler-exporter/],
  ['dist/hub/energy/networkpolicy-kepler-model-server.yaml', 0, 0, /namespace kepler.*model-fetch:hub\/kepler\/kepler-exporter->hub\/energy\/kepler-model-server.*name=kepler-exporter/],
  ['dist/hub/monitoring/networkpolicy-alertmanager.yaml', 0, 0, /namespace monitoring.*alerting:hub\/monitoring\/prometheus->hub\/monitoring\/alertmanager/],
  ['dist/hub/monitoring/networkpolicy-alertmanager.yaml', 0, 1, /namespace dashboards.*datasource:hub\/dashboards\/grafana->hub\/monitoring\/alertmanager.*name=grafana/],
  ['dist/hub/monitoring/networkpolicy-prometheus.yaml', 0, 0, /namespace dashboards.*datasource:hub\/dashboards\/grafana->hub\/monitoring\/prometheus/],
])('a namespace-wide peer in %s (rule %i, peer %i) fails at the peer', (file, rule, peer, because) => {
  const problems = breadth(widened(file, rule, peer), demo.flows);
  expect(problems).toHaveLength(1);
  expect(problems[0].startsWith(`${file}: /spec/ingress/${rule}/from/${peer}: `)).toBe(true);
  expect(problems[0]).toMatch(because);
  expect(problems[0]).toMatch(/fix: add a podSelector with those labels to the peer/);
});

test('the IoMT things admit the Prometheus pods on their metrics ports', () => {
  const stack = clone(demoStack()) as any;
  const thing = stack.iomt.pipelines[0].things.find((t: any) => !t.device);
  thing.metricsPort = 9400;
  const out = output(stack);
  const file = `dist/line-1/iomt/networkpolicy-${thing.name}.yaml`;
  const rules = (out.entries.get(file)!.object as any).spec.ingress;
  const metrics = rules.findIndex((r: any) => r.ports.some((p: any) => p.port === 9400));
  expect(rules[metrics].from).toEqual([
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } },
  ]);
  expect(breadth(out.entries, out.flows)).toEqual([]);
  delete rules[metrics].from[0].podSelector;
  expect(breadth(out.entries, out.flows)).toEqual([expect.stringMatching(new RegExp(`^${file}: /spec/ingress/${metrics}/from/0: .*scrape:line-1/monitoring/prometheus->line-1/`))]);
});

test('an empty podSelector beside a namespaceSelector admits the whole namespace, and fails as none does', () => {
  const entries = new Map([...demo.entries].map(([k, e]) => [k, { ...e, object: clone(e.object) }]));
  (entries.get('dist/hub/energy/networkpolicy-kepler-exporter.yaml')!.object as any).spec.ingress[0].from[0].podSelector = {};
  expect(breadth(entries, demo.flows)).toEqual([expect.stringMatching(/^dist\/hub\/energy\/networkpolicy-kepler-exporter\.yaml: \/spec\/ingress\/0\/from\/0: .*admits every pod of namespace monitoring/)]);
});

test('an existing Grafana in the monitoring namespace is admitted whole on purpose (declared on the policies), not reported', () => {
  const stack = clone(demoStack()) as any;
  stack.dashboards = { mode: 'sidecar', namespace: 'monitoring' };
  const out = output(stack);
  for (const file of ['dist/hub/monitoring/networkpolicy-prometheus.yaml', 'dist/hub/monitoring/networkpolicy-alertmanager.yaml']) {
    const np = out.entries.get(file)!.object as any;
    expect(np.metadata.annotations['edgewatt.io/namespace-peers']).toBe('monitoring');
    expect(np.metadata.annotations['edgewatt.io/namespace-peers-reason']).toMatch(/existing Grafana/);
    expect(np.spec.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } });
  }
  expect(breadth(out.entries, out.flows)).toEqual([]);
  // Without the declaration, the peer would be reported: only Prometheus's own flows come through it.
  delete (out.entries.get('dist/hub/monitoring/networkpolicy-alertmanager.yaml')!.object as any).metadata.annotations['edgewatt.io/namespace-peers'];
  expect(breadth(out.entries, out.flows)).toEqual([expect.stringMatching(/^dist\/hub\/monitoring\/networkpolicy-alertmanager\.yaml: .*admits every pod of namespace monitoring/)]);
});

test('an existing Grafana (dashboards.mode sidecar) is admitted by its namespace, which no declared flow comes through', () => {
  const stack = clone(demoStack()) as any;
  stack.dashboards.mode = 'sidecar';
  const out = output(stack);
  const from = (out.entries.get('dist/hub/monitoring/networkpolicy-prometheus.yaml')!.object as any).spec.ingress[0].from;
  expect(from[0]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dashboards' } } });
  expect(breadth(out.entries, out.flows)).toEqual([]);
});

test('an ingress rule without peers admits every source and fails, in every policy of the demo; Grafana admits only its scraper', () => {
  const grafana = 'dist/hub/dashboards/networkpolicy-grafana.yaml';
  expect((demo.entries.get(grafana)!.object as any).spec.ingress).toEqual([
    {
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } }],
      ports: [{ port: 3000, protocol: 'TCP' }],
    },
  ]);
  const policies = [...demo.entries.values()].filter((e) => e.object.kind === 'NetworkPolicy' && ((e.object as any).spec.ingress ?? []).length > 0);
  expect(policies.length).toBeGreaterThan(8);
  for (const p of policies) {
    for (const emptied of [undefined, [], 'all'] as const) {
      const entries = new Map([...demo.entries].map(([k, e]) => [k, { ...e, object: clone(e.object) }]));
      const rule = (entries.get(p.file)!.object as any).spec.ingress[0];
      if (emptied === undefined) delete rule.from;
      else if (emptied === 'all') rule.from = [{ ipBlock: { cidr: '::/0' } }, ...rule.from];
      else rule.from = [];
      const ports = rule.ports.map((x: any) => `${x.port}/${x.protocol}`).join(', ');
      expect(breadth(entries, demo.flows)).toEqual([
        expect.stringMatching(new RegExp(`^${p.file}: /spec/ingress/0: NetworkPolicy/\\S+ in \\S+ admits every source on ports? ${ports} \\(an ingress rule without from, or from every address.*fix: list the declared sources`)),
      ]);
    }
  }
});

test('dashboards.ingressControllerNamespace admits that namespace on Grafana\'s port, declared as a whole-namespace peer', () => {
  const stack = clone(demoStack()) as any;
  stack.dashboards.ingressControllerNamespace = 'ingress-nginx';
  const out = output(stack);
  const np = out.entries.get('dist/hub/dashboards/networkpolicy-grafana.yaml')!.object as any;
  expect(np.spec.ingress[0].from[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } });
  expect(np.metadata.annotations['edgewatt.io/namespace-peers']).toBe('ingress-nginx');
  expect(breadth(out.entries, out.flows)).toEqual([]);
});

test('dashboards.ingressControllerNamespace with mode sidecar (no bundled Grafana) is an error naming the field and the fix', () => {
  const stack = clone(demoStack()) as any;
  stack.dashboards = { mode: 'sidecar', ingressControllerNamespace: 'ingress-nginx' };
  expect(() => output(stack)).toThrow(/dashboards\.ingressControllerNamespace: admits the ingress controller to the bundled Grafana, and mode sidecar runs none: remove it/);
});
