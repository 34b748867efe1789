/**
 * Multi-Cluster Services import an exported Service only into clusters where its namespace exists (KEP-1645,
 * "Importing Services"): a cluster whose Kepler exporters fetch models from another cluster's model server by
 * mcs gets the model server's namespace, holding nothing, unless a component already declares it there.
 */
import { parseStack, resolveModel } from '../../lib/internal';
import { specProblems } from '../support/spec-problems';
import { clone, demoStack } from '../support/stacks';

const namespacesOf = (input: unknown, cluster: string) => resolveModel(parseStack(input)).clusters.find((c) => c.name === cluster)!.namespaces;

describe("the model server's namespace on the clusters that import it by mcs", () => {
  test('the demo: line-1 gets namespace energy, restricted, naming the imported Service; the hub keeps its own', () => {
    expect(namespacesOf(demoStack(), 'line-1').find((n) => n.name === 'energy')).toEqual({
      name: 'energy',
      component: 'energy',
      podSecurity: 'restricted',
      imports: ['energy/kepler-model-server of cluster hub'],
    });
    expect(namespacesOf(demoStack(), 'hub').find((n) => n.name === 'energy')).toEqual({ name: 'energy', component: 'energy', podSecurity: 'restricted' });
  });

  test('not with an ingress exposure (the exporters use an external name), nor on a cluster without Kepler', () => {
    const s = clone(demoStack()) as any;
    s.energy.modelServer.exposure = { transport: 'ingress', host: 'models.factory.example', tlsSecret: 'models-tls' };
    expect(namespacesOf(s, 'line-1').map((n) => n.name)).not.toContain('energy');
    const t = clone(demoStack()) as any;
    t.energy.kepler.clusters = ['hub'];
    expect(namespacesOf(t, 'line-1').map((n) => n.name)).not.toContain('energy');
  });

  test("where the exporter's namespace has the model server's name, the privileged namespace stays and nothing is reported", () => {
    const s = clone(demoStack()) as any;
    s.energy.kepler.clusters = ['line-1'];
    s.energy.kepler.namespace = 'energy';
    expect(specProblems(s)).toEqual([]);
    expect(namespacesOf(s, 'line-1').filter((n) => n.name === 'energy')).toEqual([expect.objectContaining({ name: 'energy', podSecurity: 'privileged' })]);
    expect(namespacesOf(s, 'line-1').find((n) => n.name === 'energy')!.imports).toBeUndefined();
  });

  test('a namespace reserved on the importing cluster is reported at the exposure', () => {
    const s = clone(demoStack()) as any;
    s.energy.namespace = 'flotta';
    s.fleet.cluster = 'line-1';
    expect(specProblems(s).filter((p) => p.startsWith('energy.modelServer.exposure'))).toEqual([
      expect.stringMatching(/^energy.modelServer.exposure: namespace "flotta" on cluster "line-1" is the Flotta operator's namespace/),
    ]);
  });
});
