import { parse } from 'yaml';
import { checkEdgeWorkloads, Entry } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

/** The message of the error synthChecked throws for `stack`; '' when it synthesizes. */
function synthError(stack: unknown): string {
  try {
    synthChecked(stack as never);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

/** The output as the gates see it. */
function entriesOf(r: ReturnType<typeof synthChecked>): Entry[] {
  return [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([f, text]) => ({ file: `dist/${f}`, cluster: f.split('/')[0], object: parse(text) }));
}

describe("EdgeWorkloads run on Flotta's device agent: every port published, no host port twice on a device", () => {
  const demo = synthChecked(demoStack());

  test('the demo passes: the Kepler relays publish nothing, the camera publishes its port', () => {
    expect(checkEdgeWorkloads(entriesOf(demo))).toEqual([]);
    for (const f of ['hub/fleet/edgeworkload-kepler-host-relay.yaml', 'hub/fleet/edgeworkload-kepler-classic-relay.yaml']) {
      expect(objectAt(demo, f).spec.pod.spec.containers[0].ports).toBeUndefined();
    }
    expect(objectAt(demo, 'hub/fleet/edgeworkload-object-detection-camera.yaml').spec.pod.spec.containers[0].ports).toEqual([{ name: 'main', containerPort: 8554, hostPort: 8554, protocol: 'TCP' }]);
  });

  test('a port without a host port (as the relays had) is refused, naming why and the fix', () => {
    const entries = entriesOf(demo);
    const relay = entries.find((e) => e.file === 'dist/hub/fleet/edgeworkload-kepler-host-relay.yaml')!;
    (relay.object as any).spec.pod.spec.containers[0].ports = [{ name: 'http', containerPort: 9090, protocol: 'TCP' }];
    expect(checkEdgeWorkloads(entries)).toEqual([
      {
        file: relay.file,
        pointer: '/spec/pod/spec/containers/0/ports/0/hostPort',
        message: expect.stringMatching(/^is required: Flotta's device agent refuses a workload port without a host port .*getHostPorts.*fix: publish it \(hostPort\), or leave the port out/),
      },
    ]);
  });

  test("a workload on a whole set and one on a device of it cannot publish the same host port (model and gate)", () => {
    const s = clone(demoStack()) as any;
    s.fleet.devices.push({ name: 'cam-02', set: 'cameras', address: '10.20.0.12', labels: { site: 'seoul' } });
    s.fleet.workloads = [
      // Both cameras: placed on the set (a selector on flotta/member-of); cam-01 alone: placed on the device.
      { name: 'relay-a', image: 'registry.example/relay:1.0.0', devices: ['cam-01', 'cam-02'], ports: [{ name: 'http', port: 9200 }] },
      { name: 'relay-b', image: 'registry.example/relay:1.0.0', devices: ['cam-01'], ports: [{ name: 'http', port: 9200 }] },
    ];
    const message = synthError(s);
    expect(message).toContain('fleet.workloads[1].ports[0].port: workload "relay-b" publishes host port 9200 on device "cam-01", as workload "relay-a" does (fleet.workloads[0].ports[0].port): podman binds it once, so one of them never starts: publish another port (hostPort)');
    // hostPort moves it; the gate then passes, and finds the clash again when the tree is edited back.
    s.fleet.workloads[1].ports[0].hostPort = 9201;
    const r = synthChecked(s);
    expect(objectAt(r, 'hub/fleet/edgeworkload-relay-a.yaml').spec.deviceSelector).toEqual({ matchExpressions: [{ key: 'flotta/member-of', operator: 'In', values: ['cameras'] }] });
    expect(objectAt(r, 'hub/fleet/edgeworkload-relay-b.yaml').spec.device).toBe('cam-01');
    expect(objectAt(r, 'hub/fleet/edgeworkload-relay-b.yaml').spec.pod.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 9200, hostPort: 9201, protocol: 'TCP' }]);
    const entries = entriesOf(r);
    expect(checkEdgeWorkloads(entries)).toEqual([]);
    const b = entries.find((e) => e.file === 'dist/hub/fleet/edgeworkload-relay-b.yaml')!;
    (b.object as any).spec.pod.spec.containers[0].ports[0].hostPort = 9200;
    expect(checkEdgeWorkloads(entries).map((f) => `${f.file}: ${f.message}`)).toEqual([
      expect.stringMatching(/^dist\/hub\/fleet\/edgeworkload-relay-[ab]\.yaml: host port 9200 on device cam-01 is published by workload relay-[ab] too/),
    ]);
  });

  test("host ports the device's own services hold are refused: Flotta's node_exporter, the set's Kepler host service", () => {
    const s = clone(demoStack()) as any;
    s.fleet.workloads = [{ name: 'relay-a', image: 'registry.example/relay:1.0.0', devices: ['cam-01'], ports: [{ name: 'a', port: 9100 }, { name: 'b', port: 8080, hostPort: 28282 }] }];
    const message = synthError(s);
    expect(message).toContain("fleet.workloads[0].ports[0].port: workload \"relay-a\" publishes host port 9100 on device \"cam-01\", where Flotta's agent runs node_exporter");
    expect(message).toContain("fleet.workloads[0].ports[1].hostPort: workload \"relay-a\" publishes host port 28282 on device \"cam-01\", where the set's Kepler host service listens");
  });
});
