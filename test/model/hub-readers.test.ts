/**
 * Grafana and the model server's online trainer read the monitoring cluster's Prometheus, which nothing exposes to
 * other clusters: placed elsewhere they would be given a `…svc.clusterset.local` URL that nothing serves (before
 * this check, such a stack synthesized with exit 0). The trainer's path on the hub is a declared flow, proven by the
 * flow gate on the output.
 */
import { parse } from 'yaml';
import { Flow } from '../../lib/core/flows';
import { StackInput, synthesize } from '../../lib/internal';
import { specProblems } from '../support/spec-problems';
import { Entry, findingsToProblems, validateEntries } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';

const problems = specProblems;

function demo(edit: (s: any) => void): StackInput {
  const s = clone(demoStack()) as any;
  edit(s);
  return s as StackInput;
}

test('Grafana on another cluster than monitoring fails at dashboards.cluster, naming the hub', () => {
  expect(problems(demo((s) => (s.dashboards.cluster = 'line-1')))).toEqual([
    'dashboards.cluster: is "line-1", but Grafana reads the Prometheus and Alertmanager of the monitoring cluster "hub", which are not exposed to other clusters: remove dashboards.cluster (it defaults to "hub") or set it to "hub"',
  ]);
  expect(problems(demo((s) => (s.dashboards.cluster = 'hub')))).toEqual([]);
  // An existing Grafana (sidecar) gets only dashboard ConfigMaps: how it reaches Prometheus is its own.
  expect(problems(demo((s) => (s.dashboards = { mode: 'sidecar', cluster: 'line-1' })))).toEqual([]);
});

test('the online trainer needs the model server on the monitoring cluster, and monitoring', () => {
  const elsewhere = demo((s) => {
    s.energy.modelServer.onlineTrainer = true;
    s.energy.modelServer.cluster = 'line-1';
  });
  expect(problems(elsewhere)).toContainEqual(expect.stringMatching(/^energy\.modelServer\.onlineTrainer: needs the model server on the monitoring cluster "hub" \(energy\.modelServer\.cluster is "line-1"\).*set energy\.modelServer\.cluster to "hub", or set onlineTrainer to false$/));
  const alone = { name: 'one', clusters: [{ name: 'edge', server: 'https://edge.example:6443' }], energy: { kepler: { generation: 'classic' }, modelServer: { onlineTrainer: true } } };
  expect(problems(alone)).toEqual(['energy.modelServer.onlineTrainer: needs monitoring: the online trainer learns from the hub Prometheus: add monitoring: {} or set onlineTrainer to false']);
  expect(problems(demo((s) => (s.energy.modelServer.onlineTrainer = true)))).toEqual([]);
});

describe('the trainer → hub Prometheus flow', () => {
  const result = synthesize(demo((s) => (s.energy.modelServer.onlineTrainer = true)));
  const flows: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;
  const ID = 'datasource:hub/energy/kepler-model-server->hub/monitoring/prometheus';
  const tree = (): Map<string, Entry> =>
    new Map([...result.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => [`dist/${f}`, { file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }]));
  const blocked = (t: Map<string, Entry>): string[] =>
    findingsToProblems(validateEntries([...t.values()], { flows }))
      .map((p) => `${p.path}: ${p.message}`)
      .filter((p) => p.includes('kepler-model-server → hub/monitoring/svc/prometheus'));

  test('is declared and proven on the output', () => {
    expect(flows.filter((f) => f.id === ID)).toHaveLength(1);
    expect(blocked(tree())).toEqual([]);
  });

  test('fails when the hub Prometheus stops admitting the model server pods', () => {
    const t = tree();
    const np = t.get('dist/hub/monitoring/networkpolicy-prometheus.yaml')!.object as any;
    np.spec.ingress[0].from = np.spec.ingress[0].from.filter((p: any) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] !== 'energy');
    expect(blocked(t)).toEqual([expect.stringMatching(/^dist\/hub\/monitoring\/networkpolicy-prometheus\.yaml: \/spec\/ingress: .* is blocked by NetworkPolicy\/prometheus in monitoring: no ingress rule admits pods of namespace energy/)]);
  });

  test('fails when the trainer is configured with another URL', () => {
    const t = tree();
    (t.get('dist/hub/energy/configmap-kepler-model-server.yaml')!.object as any).data.PROM_SERVER = 'http://prometheus.monitoring.svc.clusterset.local:9090';
    expect(blocked(t)).toEqual([expect.stringMatching(/ConfigMap\/kepler-model-server/)]);
  });
});
