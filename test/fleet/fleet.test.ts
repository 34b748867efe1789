import { parse } from 'yaml';
import { isSelected, SpecError, StackInput } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

function fleetStack(edit: (s: any) => void = () => undefined): StackInput {
  const s = clone(demoStack()) as any;
  // The demo's cameras set only (measured power); gw-* are in no set: the generated default (measured with energy).
  s.fleet.deviceSets = s.fleet.deviceSets.filter((x: any) => x.name === 'cameras');
  s.fleet.devices = [
    { name: 'cam-01', set: 'cameras', address: '10.20.0.11', labels: { site: 'seoul', tier: 'critical' } },
    { name: 'cam-02', set: 'cameras', labels: { site: 'seoul' } },
    { name: 'cam-03', set: 'cameras', labels: { site: 'busan' } },
    { name: 'gw-01', labels: { site: 'seoul', role: 'gateway' } },
    { name: 'gw-02', labels: { site: 'busan', role: 'gateway' } },
  ];
  edit(s);
  return s;
}

const FLOTTA = 'management.project-flotta.io/v1alpha1';

/** Every object of one Flotta kind in the tree. */
function ofKind(r: ReturnType<typeof synthChecked>, kind: string): any[] {
  return [...r.files.keys()].filter((f) => f.endsWith('.yaml')).map((f) => objectAt(r, f)).filter((o) => o && o.apiVersion === FLOTTA && o.kind === kind);
}

/**
 * The EdgeDevices the Flotta operator (v0.2.0) creates from the approved requests: named like the request, in
 * spec.targetNamespace, labelled flotta/member-of=<spec.targetSet> (controllers/edgedevicesignedrequest_controller.go).
 */
function operatorDevices(r: ReturnType<typeof synthChecked>): Array<{ name: string; namespace: string; labels: Record<string, string> }> {
  return ofKind(r, 'EdgeDeviceSignedRequest')
    .filter((q) => q.spec.approved === true)
    .map((q) => ({ name: q.metadata.name, namespace: q.spec.targetNamespace, labels: { edgedeviceSignedRequest: 'true', ...(q.spec.targetSet ? { 'flotta/member-of': q.spec.targetSet } : {}) } }));
}

/** The devices an EdgeWorkload lands on, the way the operator matches it (edgeworkload_controller.go getMatchingEdgeDevices). */
function matched(w: any, devices: ReturnType<typeof operatorDevices>): string[] {
  const inNs = devices.filter((d) => d.namespace === w.metadata.namespace);
  if (w.spec.device) return inNs.filter((d) => d.name === w.spec.device).map((d) => d.name);
  const sel = w.spec.deviceSelector ?? {};
  return inNs
    .filter((d) => Object.entries(sel.matchLabels ?? {}).every(([k, v]) => d.labels[k] === v))
    .filter((d) => (sel.matchExpressions ?? []).every((e: any) => e.operator === 'In' && e.values.includes(d.labels[e.key])))
    .map((d) => d.name);
}

/** Where the stack workload `name` runs: the union over its EdgeWorkloads. */
function placement(r: ReturnType<typeof synthChecked>, name: string): string[] {
  const devices = operatorDevices(r);
  const ws = ofKind(r, 'EdgeWorkload').filter((w) => w.metadata.labels['edgewatt.io/workload'] === name);
  return [...new Set(ws.flatMap((w) => matched(w, devices)))].sort();
}

describe('fleet', () => {
  test('no EdgeDevice is committed: one pre-approved signed request per device, where the edge API reads it', () => {
    const r = synthChecked(fleetStack());
    expect(ofKind(r, 'EdgeDevice')).toEqual([]);
    const requests = ofKind(r, 'EdgeDeviceSignedRequest');
    expect(requests.map((q) => q.metadata.name).sort()).toEqual(['cam-01', 'cam-02', 'cam-03', 'gw-01', 'gw-02']);
    for (const q of requests) {
      // flotta-operator v0.2.0 cmd/httpapi/main.go: initialDeviceNamespace = "default"; the edge API looks requests up there.
      expect(q.metadata.namespace).toBe('default');
      expect(q.spec.approved).toBe(true);
      expect(q.spec.targetNamespace).toBe('fleet');
    }
    const cam = requests.find((q) => q.metadata.name === 'cam-01');
    expect(cam.spec.targetSet === 'cameras' || cam.spec.targetSet.startsWith('cameras')).toBe(true);
    // Argo CD may sync into that namespace on the fleet cluster.
    const project = parse(r.bootstrap.get('appproject-smart-factory.yaml')!);
    const hubServer = project.spec.destinations.find((d: any) => d.namespace === 'fleet').server;
    expect(project.spec.destinations).toContainEqual({ server: hubServer, namespace: 'default' });
  });

  test('every device joins a set that exists, and the set carries the metrics receiver and heartbeat', () => {
    const r = synthChecked(fleetStack());
    const sets = new Map(ofKind(r, 'EdgeDeviceSet').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
    for (const d of operatorDevices(r)) {
      const set = sets.get(`${d.namespace}/${d.labels['flotta/member-of']}`);
      expect({ device: d.name, set: set?.metadata.name ?? 'missing' }).toEqual({ device: d.name, set: d.labels['flotta/member-of'] });
      // Devices are not cluster nodes: they write to the device gateway's external endpoint (test/monitoring/transports.test.ts).
      expect(set.spec.metrics.receiverConfiguration.url).toBe(`https://${objectAt(r, 'hub/monitoring/service-device-metrics-gateway-external.yaml').metadata.annotations['external-dns.alpha.kubernetes.io/hostname']}/api/v1/write`);
      expect(set.spec.heartbeat).toEqual({ periodSeconds: 60, hardwareProfile: { include: true, scope: 'delta' } });
    }
    expect(objectAt(r, 'hub/monitoring/statefulset-prometheus.yaml').spec.template.spec.containers[0].args).toContain('--web.enable-remote-write-receiver');
  });

  test('the selection policy turns off system metrics for exactly the devices outside it, through their set', () => {
    const r = synthChecked(fleetStack());
    const policy = { sample: 0.25, always: { tier: 'critical' } };
    const sets = new Map(ofKind(r, 'EdgeDeviceSet').map((s) => [s.metadata.name, s]));
    const byName = new Map(operatorDevices(r).map((d) => [d.name, d]));
    const outcomes = (fleetStack() as any).fleet.devices.map((d: any) => {
      const set = sets.get(byName.get(d.name)!.labels['flotta/member-of']);
      return { device: d.name, disabled: set.spec.metrics.system.disabled === true };
    });
    expect(outcomes).toEqual((fleetStack() as any).fleet.devices.map((d: any) => ({ device: d.name, disabled: !isSelected(d.name, d.labels, policy) })));
    // Both outcomes occur in this stack, so the check above can fail either way.
    expect(new Set(outcomes.map((o: any) => o.disabled))).toEqual(new Set([true, false]));
  });

  test('a set name edgewatt generates is refused', () => {
    const bad = fleetStack((s) => s.fleet.deviceSets.push({ name: 'edgewatt-default' }, { name: 'cameras-unsampled' }));
    expect(() => synthChecked(bad)).toThrow(SpecError);
    try {
      synthChecked(bad);
    } catch (e) {
      expect((e as SpecError).problems.map((p) => p.path)).toEqual(['fleet.deviceSets[1].name', 'fleet.deviceSets[2].name']);
    }
  });

  test('a selector that matches three of five devices places exactly those three', () => {
    const r = synthChecked(
      fleetStack((s) => {
        s.fleet.workloads = [{ name: 'relay', image: 'registry.example/relay:1.0.0', selector: { site: 'seoul' }, metrics: { port: 9100, allowList: ['relay_messages_total'] }, imagePullSecret: 'regcred' }];
      }),
    );
    expect(placement(r, 'relay')).toEqual(['cam-01', 'cam-02', 'gw-01']);
    for (const w of ofKind(r, 'EdgeWorkload').filter((x) => x.metadata.labels['edgewatt.io/workload'] === 'relay')) {
      expect(w.spec.metrics).toEqual({ port: 9100, path: '/metrics', interval: 60, allowList: { name: 'relay-metrics' } });
      expect(w.spec.imageRegistries).toEqual({ secretRef: { name: 'regcred' } });
      // Flotta labels each device `workload/<name>`: the name must fit a label name (63 characters).
      expect(w.metadata.name.length).toBeLessThanOrEqual(63);
    }
    expect(objectAt(r, 'hub/fleet/configmap-relay-metrics.yaml').data['metrics_list.yaml']).toBe('names:\n  - relay_messages_total\n');
  });

  test('a workload on every member of a set selects the set, in one EdgeWorkload', () => {
    const r = synthChecked(
      fleetStack((s) => {
        s.monitoring.selection = { sample: 1 };
        s.fleet.workloads = [{ name: 'relay', image: 'registry.example/relay:1.0.0', devices: ['cam-01', 'cam-02', 'cam-03'] }];
      }),
    );
    const ws = ofKind(r, 'EdgeWorkload').filter((x) => x.metadata.labels['edgewatt.io/workload'] === 'relay');
    expect(ws.length).toBe(1);
    expect(placement(r, 'relay')).toEqual(['cam-01', 'cam-02', 'cam-03']);
  });

  test('measured power (the default with energy) puts the host-service relay on every device, scraped on /federate', () => {
    const r = synthChecked(fleetStack());
    expect(placement(r, 'kepler-host-relay')).toEqual(['cam-01', 'cam-02', 'cam-03', 'gw-01', 'gw-02']);
    for (const w of ofKind(r, 'EdgeWorkload').filter((x) => x.metadata.labels['edgewatt.io/workload'] === 'kepler-host-relay')) {
      expect(w.spec.metrics).toEqual({ port: 9090, path: '/federate?match%5B%5D=%7Bjob%3D%22kepler-host%22%7D', interval: 60 });
      expect(JSON.stringify(w.spec.pod.spec)).not.toContain('privileged');
    }
    // The default set gets its own bootstrap folder beside the cameras'.
    expect([...r.files.keys()].filter((f) => f.endsWith('/kepler.service')).sort()).toEqual(['hub/fleet/device-bootstrap/cameras/kepler.service', 'hub/fleet/device-bootstrap/edgewatt-default/kepler.service']);
  });

  test('a profile device outside the selection policy keeps its system metrics (its power is computed from them)', () => {
    const r = synthChecked(
      fleetStack((s) => {
        s.monitoring.selection = { sample: 0.01 };
        s.fleet.deviceSets.push({ name: 'sensors', power: { source: 'profile', profile: { idleWatts: 2, maxWatts: 5 } } });
        s.fleet.devices.push({ name: 'pi-01', set: 'sensors', labels: {} }, { name: 'pi-02', set: 'sensors', labels: {} });
      }),
    );
    const byName = new Map(operatorDevices(r).map((d) => [d.name, d.labels['flotta/member-of']]));
    expect([byName.get('pi-01'), byName.get('pi-02')]).toEqual(['sensors', 'sensors']);
    // Measured devices outside the policy still lose theirs (their power comes from the relay workload).
    expect(byName.get('cam-03')).toBe('cameras-unsampled');
  });

  test('powerExporter: false (deprecated) leaves sets without power and the default set with none', () => {
    const r = synthChecked(
      fleetStack((s) => {
        s.fleet.powerExporter = false;
        delete s.fleet.deviceSets[0].power;
      }),
    );
    expect(placement(r, 'kepler-host-relay')).toEqual([]);
    expect([...r.files.keys()].some((f) => f.includes('device-bootstrap'))).toBe(false);
  });

  test('fails with the workload path when a selector matches nothing, or a name is unknown', () => {
    const bad = fleetStack((s) => {
      s.fleet.workloads = [
        { name: 'relay', image: 'registry.example/relay:1.0.0', selector: { site: 'daegu' } },
        { name: 'probe', image: 'registry.example/probe:1.0.0', devices: ['gw-1'] },
        { name: 'both', image: 'registry.example/probe:1.0.0' },
      ];
    });
    expect(() => synthChecked(bad)).toThrow(
      new SpecError([
        { path: 'fleet.workloads[0].selector', message: 'matches no device in fleet.devices (selector site=daegu): label a device or change the selector' },
        { path: 'fleet.workloads[1].devices[0]', message: 'no device named "gw-1" in fleet.devices (did you mean "gw-01"?)' },
        { path: 'fleet.workloads[2]', message: 'must name its devices with exactly one of devices or selector' },
      ]),
    );
  });

  test('a device that runs a thing cluster services reach must have an address', () => {
    const bad = fleetStack((s) => delete s.fleet.devices[0].address);
    expect(() => synthChecked(bad)).toThrow(
      new SpecError([{ path: 'fleet.devices[0].address', message: 'is required: thing "camera" of pipeline "object-detection" runs on this device and cluster services reach it there' }]),
    );
  });
});
