/**
 * Every path the output configures is a declared flow (lib/validate/flows/undeclared.ts): an object that names one of
 * the output's own Services by cluster DNS without a declared flow from its cluster to that Service fails validation
 * at the string, naming the host and the Service. The demo passes; taking a flow away, or pointing a setting at
 * another of the output's Services, or at a Service of another cluster by its clusterset name, fails.
 */
import { parse } from 'yaml';
import { Flow } from '../../lib/core/flows';
import { synthesize } from '../../lib/internal';
import { Entry, findingsToProblems, validateEntries } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';

const result = synthesize(demoStack());
const FLOWS: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;

function tree(): Map<string, Entry> {
  return new Map([...result.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => [`dist/${f}`, { file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }]));
}

function undeclared(t: Map<string, Entry>, flows: ReadonlyArray<Flow> = FLOWS): string[] {
  return findingsToProblems(validateEntries([...t.values()], { flows }))
    .map((p) => `${p.path}: ${p.message}`)
    .filter((p) => p.includes('so nothing proves the path'));
}

test('the demo: every Service name its objects give is a declared flow', () => {
  expect(undeclared(tree())).toEqual([]);
  // It names its own Services in many places (the check has something to look at).
  const named = [...tree().values()].filter((e) => JSON.stringify(e.object).includes('.svc.cluster.local'));
  expect(named.length).toBeGreaterThan(5);
});

test('a path without its flow: Grafana\'s datasources with the datasource flows taken away', () => {
  const flows = FLOWS.filter((f) => f.purpose !== 'datasource');
  const problems = undeclared(tree(), flows);
  expect(problems).toEqual([
    expect.stringMatching(/^dist\/hub\/dashboards\/configmap-grafana-provisioning\.yaml: \/data\/datasources\.yaml: ConfigMap\/grafana-provisioning names alertmanager\.monitoring\.svc\.cluster\.local \(Service alertmanager in namespace monitoring\), but no declared flow configured there reaches that Service in-cluster/),
    expect.stringMatching(/^dist\/hub\/dashboards\/configmap-grafana-provisioning\.yaml: \/data\/datasources\.yaml: ConfigMap\/grafana-provisioning names prometheus\.monitoring\.svc\.cluster\.local /),
  ]);
});

test('a setting pointed at another of the output\'s Services, or across clusters by clusterset name, fails', () => {
  const t = tree();
  const cm = t.get('dist/hub/energy/configmap-kepler-exporter.yaml')!.object as any;
  // The exporter fetches models from the model server (a declared flow); Alertmanager is not a path it has.
  cm.data.MODEL_SERVER_URL = 'http://alertmanager.monitoring.svc.cluster.local:9093';
  const grafana = t.get('dist/hub/dashboards/configmap-grafana-provisioning.yaml')!.object as any;
  grafana.data['datasources.yaml'] = grafana.data['datasources.yaml'].replace('prometheus.monitoring.svc.cluster.local', 'prometheus.monitoring.svc.clusterset.local');
  const problems = undeclared(t);
  expect(problems).toContainEqual(expect.stringMatching(/^dist\/hub\/energy\/configmap-kepler-exporter\.yaml: \/data\/MODEL_SERVER_URL: ConfigMap\/kepler-exporter names alertmanager\.monitoring\.svc\.cluster\.local/));
  expect(problems).toContainEqual(expect.stringMatching(/configmap-grafana-provisioning\.yaml: \/data\/datasources\.yaml: .*names prometheus\.monitoring\.svc\.clusterset\.local \(Service prometheus in namespace monitoring of cluster hub, line-1\), but no declared flow configured there reaches that Service by mcs/));
  expect(problems).toHaveLength(2);
});

test('a name of a Service the output does not hold (an existing install\'s) is not checked', () => {
  const t = tree();
  const cm = t.get('dist/hub/energy/configmap-kepler-exporter.yaml')!.object as any;
  cm.data.MODEL_SERVER_URL = 'http://models.ml-platform.svc.cluster.local:8100';
  expect(undeclared(t)).toEqual([]);
});

test('Argo CD\'s objects are not checked: an Application\'s Helm values configure another install', () => {
  const t = tree();
  const app = [...t.values()].find((e) => e.object.kind === 'Application')!;
  (app.object as any).spec.info = [{ name: 'metrics', value: 'http://prometheus.monitoring.svc.cluster.local:9090' }];
  expect(undeclared(t)).toEqual([]);
});

test('the trainer\'s path and the cross-cluster model fetch are declared flows', () => {
  const stack = clone(demoStack()) as any;
  stack.energy.modelServer.onlineTrainer = true;
  const r = synthesize(stack);
  const t = new Map([...r.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => [`dist/${f}`, { file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }]));
  const flows: Flow[] = JSON.parse(r.files.get('FLOWS.json')!).flows;
  expect(undeclared(t, flows)).toEqual([]);
  expect(undeclared(t, flows.filter((f) => f.path !== 'energy.modelServer.onlineTrainer'))).toEqual([expect.stringMatching(/ConfigMap\/kepler-model-server names prometheus\.monitoring\.svc\.cluster\.local/)]);
});
