import { isSelected, SpecError, StackInput } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

function fleetStack(edit: (s: any) => void = () => undefined): StackInput {
  const s = clone(demoStack()) as any;
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

describe('fleet', () => {
  test('emits sets, devices, pre-approved registrations and workloads, all valid for the Flotta CRDs', () => {
    const r = synthChecked(fleetStack());
    const kinds = [...r.files.keys()].filter((f) => f.startsWith('hub/fleet/')).map((f) => f.split('/')[2].split('-')[0]);
    expect(new Set(kinds)).toEqual(new Set(['edgedevice', 'edgedeviceset', 'edgedevicesignedrequest', 'edgeworkload']));
    const device = objectAt(r, 'hub/fleet/edgedevice-cam-01.yaml');
    expect(device.metadata.labels).toMatchObject({ 'flotta/member-of': 'cameras', site: 'seoul', tier: 'critical', 'edgewatt.io/device': 'cam-01' });
    expect(device.metadata.annotations).toEqual({ 'edgewatt.io/address': '10.20.0.11' });
    expect(objectAt(r, 'hub/fleet/edgedevicesignedrequest-cam-01.yaml').spec).toEqual({ approved: true, targetNamespace: 'fleet', targetSet: 'cameras' });
  });

  test('the metrics receiver URL is the hub Prometheus remote-write endpoint', () => {
    const r = synthChecked(fleetStack());
    const svc = objectAt(r, 'hub/monitoring/service-prometheus.yaml');
    const set = objectAt(r, 'hub/fleet/edgedeviceset-cameras.yaml');
    expect(set.spec.metrics.receiverConfiguration.url).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}/api/v1/write`);
    expect(set.spec.heartbeat).toEqual({ periodSeconds: 60, hardwareProfile: { include: true, scope: 'delta' } });
    expect(objectAt(r, 'hub/monitoring/statefulset-prometheus.yaml').spec.template.spec.containers[0].args).toContain('--web.enable-remote-write-receiver');
  });

  test('the selection policy turns off system metrics for exactly the devices outside it', () => {
    const r = synthChecked(fleetStack());
    const policy = { sample: 0.25, always: { tier: 'critical' } };
    for (const d of (fleetStack() as any).fleet.devices) {
      const spec = objectAt(r, `hub/fleet/edgedevice-${d.name}.yaml`).spec ?? {};
      expect({ device: d.name, disabled: spec.metrics?.system?.disabled === true }).toEqual({ device: d.name, disabled: !isSelected(d.name, d.labels, policy) });
    }
  });

  test('a device in no set gets the stack defaults', () => {
    const spec = objectAt(synthChecked(fleetStack()), 'hub/fleet/edgedevice-gw-01.yaml').spec;
    expect(spec.heartbeat).toEqual({ periodSeconds: 60, hardwareProfile: { include: true, scope: 'delta' } });
    expect(spec.metrics.system.interval).toBe(60);
    expect(spec.metrics.receiverConfiguration.url).toMatch(/\/api\/v1\/write$/);
  });

  test('a selector that matches three of five devices places exactly those three', () => {
    const r = synthChecked(
      fleetStack((s) => {
        s.fleet.workloads = [{ name: 'relay', image: 'registry.example/relay:1.0.0', selector: { site: 'seoul' }, metrics: { port: 9100, allowList: ['relay_messages_total'] }, imagePullSecret: 'regcred' }];
      }),
    );
    const w = objectAt(r, 'hub/fleet/edgeworkload-relay.yaml');
    expect(w.spec.deviceSelector).toEqual({ matchExpressions: [{ key: 'edgewatt.io/device', operator: 'In', values: ['cam-01', 'cam-02', 'gw-01'] }] });
    expect(w.spec.metrics).toEqual({ port: 9100, path: '/metrics', interval: 60, allowList: { name: 'relay-metrics' } });
    expect(w.spec.imageRegistries).toEqual({ secretRef: { name: 'regcred' } });
    expect(objectAt(r, 'hub/fleet/configmap-relay-metrics.yaml').data['metrics_list.yaml']).toBe('names:\n  - relay_messages_total\n');
  });

  test('the energy component runs the device exporter on every device', () => {
    const w = objectAt(synthChecked(fleetStack()), 'hub/fleet/edgeworkload-kepler-device-exporter.yaml');
    expect(w.spec.deviceSelector.matchExpressions[0].values).toEqual(['cam-01', 'cam-02', 'cam-03', 'gw-01', 'gw-02']);
    expect(w.spec.metrics).toEqual({ port: 28282, path: '/metrics', interval: 60 });
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
