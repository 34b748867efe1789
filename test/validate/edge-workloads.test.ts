import { parse } from 'yaml';
import { checkEdgeWorkloads, Entry } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

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

  test("the stack's device workloads publish their ports; two on one device set with the same port are refused", () => {
    const s = clone(demoStack()) as any;
    s.fleet.workloads = [
      { name: 'relay-a', image: 'registry.example/relay:1.0.0', devices: ['cam-01'], ports: [{ name: 'http', port: 9200 }] },
      { name: 'relay-b', image: 'registry.example/relay:1.0.0', devices: ['cam-01'], ports: [{ name: 'http', port: 9200 }] },
    ];
    let message = '';
    try {
      synthChecked(s);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/edgeworkload-relay-b\.yaml: \/spec\/pod\/spec\/containers\/0\/ports\/0\/hostPort: host port 9200 on .* is published by workload relay-a too: podman binds it once, so one of them never starts/);
    s.fleet.workloads[1].ports[0].port = 9201;
    const r = synthChecked(s);
    expect(objectAt(r, 'hub/fleet/edgeworkload-relay-b.yaml').spec.pod.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 9201, hostPort: 9201, protocol: 'TCP' }]);
  });
});
