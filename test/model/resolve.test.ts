import * as fc from 'fast-check';
import { FLOTTA_DEFAULT_SET } from '../../lib/core/fleet-sets';
import { parseStack, resolveModel, StackInput } from '../../lib/internal';
import { hasPoweredDevice, setPowers, sortedDeviceNames } from '../../lib/model/device-power';
import { DeviceModel, DevicePowerModel, DeviceSetModel, FleetModel } from '../../lib/model/types';
import { clone, demoStack } from '../support/stacks';
import { specProblems } from '../support/spec-problems';

function problems(input: unknown): string[] {
  const found = specProblems(input);
  if (found.length === 0) throw new Error('expected a SpecError');
  return found;
}

type Mutable = { [key: string]: any };

function demo(edit: (s: Mutable) => void): StackInput {
  const s = clone(demoStack()) as Mutable;
  edit(s);
  return s as StackInput;
}

describe('model', () => {
  test('resolves the demo: placements, namespaces, kinds, sorted lists', () => {
    const m = resolveModel(parseStack(demoStack()));
    expect(m.clusters.map((c) => c.name)).toEqual(['hub', 'line-1']);
    expect(m.monitoring?.cluster).toBe('hub');
    expect(m.energy?.kepler.clusters).toEqual(['hub', 'line-1']);
    expect(m.energy?.modelServer?.cluster).toBe('hub');
    expect(m.iomt?.pipelines[0]).toMatchObject({ cluster: 'line-1', namespace: 'iomt-object-detection' });
    expect(m.iomt?.pipelines[0].things.map((t) => t.name)).toEqual(['archive', 'camera', 'monitoring', 'object-detect']);
    const hub = m.clusters[0].namespaces.map((n) => `${n.name}:${n.podSecurity}`);
    expect(hub).toEqual(['dashboards:restricted', 'energy:restricted', 'fleet:restricted', 'kepler:privileged', 'monitoring:restricted']);
    // line-1 runs the Prometheus agent, so it gets the monitoring namespace too; energy, empty, for the model server's MCS import.
    expect(m.clusters[1].namespaces.map((n) => n.name)).toEqual(['energy', 'iomt-object-detection', 'kepler', 'monitoring']);
  });

  test('one-cluster stacks need no placement keys', () => {
    const m = resolveModel(parseStack({ name: 'lab', clusters: [{ name: 'edge' }], monitoring: {}, dashboards: {}, fleet: {} }));
    expect([m.monitoring?.cluster, m.dashboards?.cluster, m.fleet?.cluster]).toEqual(['edge', 'edge', 'edge']);
  });

  test('hub components follow the monitoring cluster when not placed', () => {
    const m = resolveModel(
      parseStack(
        demo((s) => {
          delete s.dashboards.cluster;
          delete s.fleet.cluster;
          delete s.energy.modelServer.cluster;
        }),
      ),
    );
    expect([m.dashboards?.cluster, m.fleet?.cluster, m.energy?.modelServer?.cluster]).toEqual(['hub', 'hub', 'hub']);
  });

  test('reports the misspelled link target with the suggestion (the exact message)', () => {
    expect(problems(demo((s) => (s.iomt.pipelines[0].links[2].to = 'monitorng')))).toEqual([
      'iomt.pipelines[0].links[2].to: no thing named "monitorng" in pipeline "object-detection" (did you mean "monitoring"?)',
    ]);
  });

  test('reports an unknown cluster wherever a cluster is named', () => {
    expect(
      problems(
        demo((s) => {
          s.monitoring.cluster = 'hubb';
          s.energy.kepler.clusters = ['hub', 'line-2'];
          s.iomt.pipelines[0].cluster = 'factory';
        }),
      ),
    ).toEqual([
      'energy.kepler.clusters[1]: no cluster named "line-2" (did you mean "line-1"?)',
      'iomt.pipelines[0].cluster: no cluster named "factory" (expected one of: "hub", "line-1")',
      'monitoring.cluster: no cluster named "hubb" (did you mean "hub"?)',
    ]);
  });

  test('reports duplicate names of clusters, device sets, devices, pipelines and things', () => {
    expect(
      problems(
        demo((s) => {
          s.clusters.push({ name: 'hub' });
          s.fleet.deviceSets.push({ name: 'cameras' });
          s.fleet.devices.push({ name: 'cam-01' });
          s.iomt.pipelines[0].things.push({ name: 'camera', kind: 'MSensor', image: 'r/c:1', port: 1 });
          s.iomt.pipelines.push({ ...clone(s.iomt.pipelines[0]), namespace: 'other' });
        }),
      ),
    ).toEqual([
      'clusters[2].name: duplicate cluster name "hub" (also clusters[0].name): names must be unique',
      'fleet.deviceSets[3].name: duplicate device set name "cameras" (also fleet.deviceSets[0].name): names must be unique',
      'fleet.devices[3].name: duplicate device name "cam-01" (also fleet.devices[0].name): names must be unique',
      'iomt.pipelines[0].things[4].name: duplicate thing name "camera" (also iomt.pipelines[0].things[0].name): names must be unique',
      'iomt.pipelines[1].name: duplicate pipeline name "object-detection" (also iomt.pipelines[0].name): names must be unique',
      // The copied pipeline also puts its camera on cam-01 at the same port: a clash whatever the names.
      'iomt.pipelines[1].things[0].port: thing "camera" publishes host port 8554 on device "cam-01", as thing "camera" does (iomt.pipelines[0].things[0].port): podman binds it once, so one of them never starts: serve another port',
      'iomt.pipelines[1].things[4].name: duplicate thing name "camera" (also iomt.pipelines[1].things[0].name): names must be unique',
    ]);
  });

  test('reports a device in a missing set and a thing on a missing device', () => {
    expect(
      problems(
        demo((s) => {
          s.fleet.devices[0].set = 'camras';
          s.iomt.pipelines[0].things[0].device = 'cam-1';
        }),
      ),
    ).toEqual([
      'fleet.devices[0].set: no device set named "camras" (did you mean "cameras"?)',
      'iomt.pipelines[0].things[0].device: no device named "cam-1" in fleet.devices (did you mean "cam-01"?)',
    ]);
  });

  test('reports missing placements in a multi-cluster stack, and wrong generation options, all together', () => {
    expect(
      problems(
        demo((s) => {
          delete s.monitoring.cluster;
          delete s.iomt.pipelines[0].cluster;
          delete s.dashboards.cluster;
          s.energy.kepler.generation = 'current';
        }),
      ),
    ).toEqual([
      // dashboards.cluster is not also required: it defaults to the monitoring cluster, whose own problem is above.
      'energy.kepler.redfish: Redfish platform power is part of the classic Kepler generation: set energy.kepler.generation to classic, or remove redfish',
      'energy.modelServer: the model server works with the classic Kepler generation only: set energy.kepler.generation to classic, let device sets estimate from it (power.source estimated with an ingress exposure), or remove energy.modelServer',
      'iomt.pipelines[0].cluster: is required when the stack has more than one cluster: name one of "hub", "line-1"',
      'monitoring.cluster: is required when the stack has more than one cluster: name one of "hub", "line-1"',
    ]);
  });

  test('reports a component placed in the privileged exporter namespace', () => {
    expect(problems(demo((s) => (s.monitoring.namespace = 'kepler')))).toEqual([
      'energy.kepler.namespace: namespace "kepler" on cluster "hub" is privileged for the power exporter and must hold nothing else, but monitoring.namespace uses it too: choose another namespace',
      'energy.kepler.namespace: namespace "kepler" on cluster "line-1" is privileged for the power exporter and must hold nothing else, but monitoring.namespace uses it too: choose another namespace',
    ]);
  });

  test("reports a namespace the stack would create that is Kubernetes', Argo CD's or an operator's", () => {
    const reason = 'edgewatt creates, labels (Pod Security) and prunes the namespaces it declares: choose another namespace';
    expect(
      problems(
        demo((s) => {
          s.iomt.pipelines[0].namespace = 'argocd';
          s.dashboards.namespace = 'kube-system';
          s.energy.kepler.namespace = 'default'; // on both clusters: named once
          s.fleet.namespace = 'flotta';
        }),
      ),
    ).toEqual([
      `dashboards.namespace: namespace "kube-system" is one of Kubernetes' own namespaces; ${reason}`,
      `energy.kepler.namespace: namespace "default" is one of Kubernetes' own namespaces; ${reason}`,
      `fleet.namespace: namespace "flotta" on cluster "hub" is the Flotta operator's namespace; ${reason}`,
      `iomt.pipelines[0].namespace: namespace "argocd" is Argo CD's namespace (gitops.argocdNamespace); ${reason}`,
    ]);
    expect(problems(demo((s) => (s.monitoring.namespace = 'cert-manager')))).toEqual([
      `monitoring.namespace: namespace "cert-manager" on cluster "hub" is cert-manager's namespace (fleet.certManager.namespace); ${reason}`,
    ]);
    // The operators' namespaces are reserved on the fleet's cluster only (hub); a pipeline on line-1 may use one.
    const m = resolveModel(parseStack(demo((s) => (s.iomt.pipelines[0].namespace = 'flotta'))));
    expect(m.clusters[1].namespaces.map((n) => n.name)).toEqual(['energy', 'flotta', 'kepler', 'monitoring']);
    // Argo CD's namespace is the one gitops names.
    expect(problems(demo((s) => ((s.gitops.argocdNamespace = 'gitops'), (s.iomt.pipelines[0].namespace = 'gitops'))))).toEqual([
      `iomt.pipelines[0].namespace: namespace "gitops" is Argo CD's namespace (gitops.argocdNamespace); ${reason}`,
    ]);
  });

  test('a cluster that is not there is reported once, not again through what defaults to it or runs on it', () => {
    // Before: also "fleet.cluster: is required when the stack has more than one cluster" (and dashboards.cluster,
    // energy.modelServer.cluster), though they default to the monitoring cluster.
    const unplaced = demo((s) => {
      s.monitoring.cluster = 'nowhere';
      delete s.dashboards.cluster;
      delete s.fleet.cluster;
      delete s.energy.modelServer.cluster;
    });
    expect(problems(unplaced)).toEqual(['monitoring.cluster: no cluster named "nowhere" (expected one of: "hub", "line-1")']);
    // Before: also "monitoring.receiver: is required: the Prometheus agents of "nowhere" remote-write…".
    expect(
      problems(
        demo((s) => {
          s.energy.kepler.clusters = ['hub', 'nowhere', 'hub'];
          delete s.monitoring.receiver;
          delete s.iomt;
        }),
      ),
    ).toEqual(['energy.kepler.clusters[1]: no cluster named "nowhere" (expected one of: "hub", "line-1")', 'energy.kepler.clusters[2]: cluster "hub" is listed twice']);
    // Two clusters of one name, energy on every cluster by default: the clusters' problem only, none at a Kepler
    // list the stack never gave (before: also "energy.kepler.clusters[1]: cluster "a" is listed twice").
    const twice = problems({ name: 'lab', clusters: [{ name: 'a' }, { name: 'a' }], energy: {} });
    expect(twice.some((p) => p.startsWith('energy.'))).toBe(false);
    expect(twice.some((p) => p.startsWith('clusters[1]'))).toBe(true);
    // Before: also "energy.modelServer.exposure: is required: the Kepler exporters of "nowhere" fetch models…".
    expect(
      problems(
        demo((s) => {
          s.energy.kepler.clusters = ['hub', 'nowhere'];
          delete s.energy.modelServer.exposure;
        }),
      ),
    ).toEqual(['energy.kepler.clusters[1]: no cluster named "nowhere" (expected one of: "hub", "line-1")']);
  });

  test('reports dashboards without monitoring, whose Prometheus and records they read', () => {
    expect(problems({ name: 'lab', clusters: [{ name: 'edge' }], dashboards: {} })).toEqual([
      "dashboards: needs monitoring: the dashboards read monitoring's Prometheus and its recording rules (Grafana's datasource is that Prometheus): add monitoring: {} or remove dashboards",
    ]);
    expect(problems({ name: 'lab', clusters: [{ name: 'edge' }], dashboards: { mode: 'sidecar' } })).toHaveLength(1);
    expect(resolveModel(parseStack({ name: 'lab', clusters: [{ name: 'edge' }], monitoring: {}, dashboards: {} })).dashboards?.cluster).toBe('edge');
  });

  test("reports a pipeline placed in another component's namespace, on the hub and on an edge cluster", () => {
    const mix = (ns: string, component: string, path: string, cluster: string) =>
      `iomt.pipelines[0].namespace: namespace "${ns}" on cluster "${cluster}" is also the ${component} component's (${path}): a pipeline's Services, Deployments and NetworkPolicies are named after its things and would mix with that component's objects; choose another namespace (@default iomt-<pipeline name>)`;
    expect(problems(demo((s) => (s.iomt.pipelines[0].namespace = 'monitoring')))).toEqual([mix('monitoring', 'monitoring', 'monitoring.namespace', 'line-1')]);
    expect(problems(demo((s) => ((s.iomt.pipelines[0].cluster = 'hub'), (s.iomt.pipelines[0].namespace = 'dashboards'))))).toEqual([
      mix('dashboards', 'dashboards', 'dashboards.namespace', 'hub'),
    ]);
    // The exporter's privileged namespace keeps its own problem, once per cluster, and no second one.
    expect(problems(demo((s) => ((s.iomt.pipelines[0].cluster = 'hub'), (s.iomt.pipelines[0].namespace = 'kepler'))))).toEqual([
      'energy.kepler.namespace: namespace "kepler" on cluster "hub" is privileged for the power exporter and must hold nothing else, but iomt.pipelines[0].namespace uses it too: choose another namespace',
    ]);
  });

  test('reports two things with one Service name in a shared namespace', () => {
    expect(
      problems(
        demo((s) => {
          s.iomt.pipelines.push({
            name: 'second',
            cluster: 'line-1',
            namespace: 'iomt-object-detection',
            things: [{ name: 'camera', kind: 'MSensor', image: 'r/c:1', port: 1 }],
          });
        }),
      ),
    ).toEqual([
      'iomt.pipelines[1].things[0].name: thing "camera" is also in namespace "iomt-object-detection" on cluster "line-1" (iomt.pipelines[0].things[0]): Service names must be unique in a namespace',
    ]);
  });

  test('the model does not depend on the order of unordered lists', () => {
    const a = resolveModel(parseStack(demoStack()));
    const b = resolveModel(
      parseStack(
        demo((s) => {
          s.clusters.reverse();
          s.iomt.pipelines[0].things.reverse();
          s.iomt.pipelines[0].links.reverse();
        }),
      ),
    );
    const strip = (m: unknown) => JSON.parse(JSON.stringify(m, (k, v) => (k === 'path' || k === 'spec' ? undefined : v)));
    expect(strip(b)).toEqual(strip(a));
  });
});

describe('setPowers and sortedDeviceNames: computed once per fleet, read-only', () => {
  test('the same fleet gives the same frozen answer; another fleet its own', () => {
    const fleet = resolveModel(parseStack(demoStack())).fleet!;
    const sets = setPowers(fleet);
    expect(setPowers(fleet)).toBe(sets);
    expect(Object.isFrozen(sets) && sets.every((s) => Object.isFrozen(s) && Object.isFrozen(s.devices))).toBe(true);
    expect(sets.flatMap((s) => s.devices).sort()).toEqual(fleet.devices.map((d) => d.name).sort());
    expect(sortedDeviceNames(fleet)).toEqual(fleet.devices.map((d) => d.name).sort());
    expect(sortedDeviceNames(fleet)).toBe(sortedDeviceNames(fleet));
    const other = resolveModel(parseStack(demo((s) => s.fleet.devices.pop()))).fleet!;
    expect(sortedDeviceNames(other)).toHaveLength(fleet.devices.length - 1);
    expect(setPowers(other).flatMap((s) => s.devices)).toHaveLength(fleet.devices.length - 1);
  });
});

describe('hasPoweredDevice: the flag resolve keeps as FleetModel.recordsPower', () => {
  const power = (source: 'measured' | 'profile', path: string): DevicePowerModel => ({ source, missingAfterMinutes: 15, path });
  test('agrees with setPowers (some set with a power source holds a device) on generated fleets', () => {
    const names = ['a', 'b', 'c', FLOTTA_DEFAULT_SET];
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom(...names), power: fc.option(fc.constantFrom('measured', 'profile') as fc.Arbitrary<'measured' | 'profile'>, { nil: undefined }) }), { maxLength: 4 }),
        fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 3 }), set: fc.option(fc.constantFrom(...names, 'unknown'), { nil: undefined }) }), { maxLength: 5 }),
        fc.option(fc.constant(power('profile', 'fleet.defaultPower')), { nil: undefined }),
        (declared, listed, defaultPower) => {
          const deviceSets = declared.map((s, i) => ({ name: s.name, path: `fleet.deviceSets[${i}]`, power: s.power && power(s.power, `fleet.deviceSets[${i}].power`) })) as unknown as DeviceSetModel[];
          const devices = listed.map((d, i) => ({ ...d, path: `fleet.devices[${i}]` })) as unknown as DeviceModel[];
          const fleet = { cluster: 'hub', namespace: 'fleet', deviceSets, devices, workloads: [], recordsPower: false, defaultPower } as FleetModel;
          expect(hasPoweredDevice(deviceSets, devices, defaultPower)).toBe(setPowers(fleet).some((s) => s.power !== undefined && s.devices.length > 0));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('resolve sets it: no device, devices only in sets without power, one device in a powered set', () => {
    const noDevices = resolveModel(parseStack(demo((s) => { delete (s as { iomt?: unknown }).iomt; s.fleet.devices = []; }))).fleet!;
    expect(noDevices.recordsPower).toBe(false);
    expect(resolveModel(parseStack(demoStack())).fleet!.recordsPower).toBe(true);
    const unpowered = (extra: Array<{ name: string; set: string }>) =>
      resolveModel(
        parseStack(
          demo((s) => {
            delete (s as { iomt?: unknown }).iomt;
            s.fleet.powerExporter = false;
            s.fleet.deviceSets = [{ name: 'plain' }, s.fleet.deviceSets.find((d: { name: string }) => d.name === 'sensors')];
            s.fleet.devices = [{ name: 'box-01', set: 'plain' }, ...extra];
          }),
        ),
      ).fleet!;
    expect(unpowered([]).recordsPower).toBe(false);
    expect(unpowered([{ name: 'pi-09', set: 'sensors' }]).recordsPower).toBe(true);
  });
});
