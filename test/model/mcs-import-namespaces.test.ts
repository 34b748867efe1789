/**
 * Multi-Cluster Services import an exported Service only into clusters where its namespace exists (KEP-1645,
 * "Importing Services"): a cluster whose Kepler exporters fetch models from another cluster's model server by
 * mcs gets the model server's namespace, holding nothing, unless a component already declares it there.
 */
import { parseStack, resolveModel } from '../../lib/internal';
import { specProblems } from '../support/spec-problems';
import { synthChecked } from '../support/synth';
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

  test("a reserved name is taken to exist there (the operator's Application creates it): nothing created, nothing reported, and the gate passes", () => {
    const s = clone(demoStack()) as any;
    s.energy.namespace = 'flotta';
    s.fleet.cluster = 'line-1';
    expect(specProblems(s)).toEqual([]);
    expect(namespacesOf(s, 'line-1').map((n) => n.name)).not.toContain('flotta');
    // The flow gate finds the Flotta operator's Application creating it on line-1 (CreateNamespace=true).
    const r = synthChecked(s);
    expect([...r.files.keys()].filter((f) => f.startsWith('line-1/platform/'))).not.toContain('line-1/platform/namespace-flotta.yaml');
  });

  test("an existing install's namespace (prometheus-operator mode) is not created, and the gate takes it to exist: objects of the stack are in it", () => {
    const s = clone(demoStack()) as any;
    s.monitoring.mode = 'prometheus-operator';
    s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
    s.energy.namespace = 'monitoring';
    expect(namespacesOf(s, 'line-1').find((n) => n.name === 'monitoring')).toMatchObject({ external: true });
    expect(namespacesOf(s, 'line-1').find((n) => n.name === 'monitoring')!.imports).toBeUndefined();
    expect(() => synthChecked(s)).not.toThrow();
  });
});
