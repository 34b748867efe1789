/**
 * Mutation tests of the flow gate: in a copy of the synthesized demo output, delete or break the object that
 * carries each flow purpose and show that validation (the checks `edgewatt validate` runs, with the flows of
 * FLOWS.json) fails with that flow named and the blocking object's file; the unmutated copy passes. Flows the
 * demo does not declare yet (remote write by MCS, device remote write by Ingress, device API by LoadBalancer,
 * Alertmanager → webhook receiver) are constructed here, with the objects that would carry them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { describeFlow, Flow } from '../../lib/core/flows';
import { Entry, evaluateFlows, findingsToProblems, validateEntries } from '../../lib/validate';
import { runCli } from '../../lib/internal';
import { demoStack } from '../support/stacks';
import { synthesize } from '../../lib/internal';
import { captureIO, tmpDir } from '../support/tmp';
import { sharedPath } from '../support/shared';

const result = synthesize(demoStack());
const FLOWS: Flow[] = JSON.parse(result.files.get('FLOWS.json')!).flows;

/** The demo output as entries, deep-copied so a test may break them. */
function tree(): Map<string, Entry> {
  const m = new Map<string, Entry>();
  for (const [file, text] of result.files) {
    if (!file.endsWith('.yaml')) continue;
    m.set(`dist/${file}`, { file: `dist/${file}`, cluster: file.split('/')[0], object: parse(text) });
  }
  return m;
}

function obj(t: Map<string, Entry>, file: string): any {
  const e = t.get(file);
  if (!e) throw new Error(`no ${file}`);
  return e.object;
}

/** validate's findings about flows, as `file: pointer: message`. */
function gate(t: Map<string, Entry>, flows: ReadonlyArray<Flow> = FLOWS): string[] {
  return findingsToProblems(validateEntries([...t.values()], { flows })).map((p) => `${p.path}: ${p.message}`);
}

function flow(id: string): Flow {
  const f = FLOWS.find((x) => x.id === id);
  if (!f) throw new Error(`no flow ${id}: ${FLOWS.map((x) => x.id).join(', ')}`);
  return f;
}

/** Expects exactly the listed flows to fail, each with a message naming it, in the named file. */
function expectBlocked(problems: string[], want: Array<{ flow: Flow; file: string; because: RegExp }>): void {
  for (const w of want) {
    const hit = problems.filter((p) => p.includes(`flow ${describeFlow(w.flow)} is blocked`) && p.startsWith(w.file));
    expect({ flow: w.flow.id, hits: hit.filter((p) => w.because.test(p)).length > 0, problems }).toEqual({ flow: w.flow.id, hits: true, problems });
  }
  const named = new Set(want.map((w) => describeFlow(w.flow)));
  // No other flow is reported (other gates, e.g. wiring, may report the same break too).
  const others = problems.filter((p) => / is blocked/.test(p) && ![...named].some((n) => p.includes(`flow ${n} is blocked`)));
  expect(others).toEqual([]);
}

const SCRAPE_KEPLER = 'scrape:hub/monitoring/prometheus->hub/kepler/kepler-exporter';
const ALERTING = 'alerting:hub/monitoring/prometheus->hub/monitoring/alertmanager';
const DATASOURCE = 'datasource:hub/dashboards/grafana->hub/monitoring/prometheus';
const MODEL_FETCH = 'model-fetch:hub/kepler/kepler-exporter->hub/energy/kepler-model-server';
const IOMT = 'iomt-link:line-1/iomt-object-detection/monitoring->line-1/iomt-object-detection/object-detect';
const IOMT_DEVICE = 'iomt-link:line-1/iomt-object-detection/archive->line-1/iomt-object-detection/camera';
const API_KEPLER = 'api-server:hub/kepler/kepler-exporter->hub/api-server';
const API_PROM = 'api-server:hub/monitoring/prometheus->hub/api-server';
// The paths that leave a cluster or come from devices, declared with their transports (lib/monitoring/transport-flows.ts).
const RW_EDGE = 'remote-write:line-1/prometheus->hub/prometheus-receiver';
const RW_RECEIVER = 'remote-write:hub/prometheus-receiver->hub/prometheus';
const RW_DEVICE_GW = 'remote-write:hub/device-metrics-gateway->hub/prometheus';
const RW_DEVICES = 'device-remote-write:devices(cameras)->hub/device-metrics-gateway';
// The demo's other device sets (one per power source) write through the same gateway.
const RW_OTHER_SETS = ['gateways', 'sensors'].map((s) => `device-remote-write:devices(${s})->hub/device-metrics-gateway`);
const DEVICE_API = 'device-api:devices->hub/flotta-edge-api';
const MODEL_FETCH_REMOTE = 'model-fetch:line-1/kepler-exporter->hub/kepler-model-server';

test('the demo declares a flow of every purpose it has, and all of them pass on its output', () => {
  expect([...new Set(FLOWS.map((f) => f.purpose))].sort()).toEqual(['alerting', 'api-server', 'datasource', 'device-api', 'device-remote-write', 'iomt-link', 'model-fetch', 'remote-write', 'scrape']);
  expect(FLOWS.filter((f) => f.transport !== 'in-cluster').map((f) => `${f.id} via ${f.transport}`).sort()).toEqual([
    `${DEVICE_API} via loadBalancer`,
    `${RW_DEVICES} via loadBalancer`,
    ...RW_OTHER_SETS.map((f) => `${f} via loadBalancer`),
    `${MODEL_FETCH_REMOTE} via mcs`,
    `${RW_EDGE} via ingress`,
  ]);
  // Every component target is scraped: Kepler, kube-state-metrics and kube-eventer on both clusters; Alertmanager,
  // Grafana and the Flotta operator's two kube-rbac-proxy endpoints on the hub.
  expect(FLOWS.filter((f) => f.purpose === 'scrape').map((f) => f.id)).toHaveLength(10);
  expect(evaluateFlows(FLOWS, [...tree().values()]).filter((v) => !v.ok)).toEqual([]);
  expect(gate(tree())).toEqual([]);
});

describe('scrape', () => {
  test('a relabel keep that no longer matches the exporter\'s labels', () => {
    const t = tree();
    const cm = obj(t, 'dist/hub/monitoring/configmap-prometheus-config.yaml');
    const cfg = parse(cm.data['prometheus.yml']);
    const job = cfg.scrape_configs.find((j: any) => j.job_name === 'kepler-exporter');
    job.relabel_configs[0].regex = 'kepler';
    cm.data['prometheus.yml'] = stringify(cfg);
    expectBlocked(gate(t), [{ flow: flow(SCRAPE_KEPLER), file: 'dist/hub/monitoring/configmap-prometheus-config.yaml', because: /relabel_configs\[0\] \(keep __meta_kubernetes_pod_label_app_kubernetes_io_instance =~ kepler\) drops the target/ }]);
  });

  test('the job removed from prometheus.yml', () => {
    const t = tree();
    const cm = obj(t, 'dist/hub/monitoring/configmap-prometheus-config.yaml');
    const cfg = parse(cm.data['prometheus.yml']);
    cfg.scrape_configs = cfg.scrape_configs.filter((j: any) => j.job_name !== 'kepler-exporter');
    cm.data['prometheus.yml'] = stringify(cfg);
    expectBlocked(gate(t), [{ flow: flow(SCRAPE_KEPLER), file: 'dist/hub/monitoring/configmap-prometheus-config.yaml', because: /has no scrape job "kepler-exporter"/ }]);
  });

  test('the exporter\'s ingress rule for the monitoring namespace removed', () => {
    const t = tree();
    obj(t, 'dist/hub/energy/networkpolicy-kepler-exporter.yaml').spec.ingress = [];
    expectBlocked(gate(t), [{ flow: flow(SCRAPE_KEPLER), file: 'dist/hub/energy/networkpolicy-kepler-exporter.yaml', because: /no ingress rule admits pods of namespace monitoring/ }]);
  });

  test('the container port renamed (the job keeps port name http)', () => {
    const t = tree();
    obj(t, 'dist/hub/energy/daemonset-kepler-exporter.yaml').spec.template.spec.containers[0].ports[0].name = 'metrics';
    const problems = gate(t);
    expect(problems.some((p) => p.includes(`flow ${describeFlow(flow(SCRAPE_KEPLER))} is blocked by DaemonSet/kepler-exporter in kepler: no container exposes port http`))).toBe(true);
  });

  test('the discovery Role in the scraped namespace deleted: Prometheus cannot list pods there', () => {
    const t = tree();
    t.delete('dist/hub/monitoring/kepler_role-prometheus-discovery-monitoring.yaml');
    expectBlocked(gate(t), [
      { flow: flow(SCRAPE_KEPLER), file: 'dist/hub', because: /ServiceAccount monitoring\/prometheus .* may not list pods in namespace kepler; fix: grant it with a Role and RoleBinding in namespace kepler/ },
      { flow: flow(API_PROM), file: 'dist/hub', because: /may not list pods in namespace kepler/ },
    ]);
  });
});

describe('alerting', () => {
  test('Alertmanager\'s NetworkPolicy no longer admits the monitoring namespace', () => {
    const t = tree();
    const np = obj(t, 'dist/hub/monitoring/networkpolicy-alertmanager.yaml');
    np.spec.ingress[0].from = np.spec.ingress[0].from.filter((p: any) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] !== 'monitoring');
    const scrapeAm = flow('scrape:hub/monitoring/prometheus->hub/monitoring/alertmanager');
    expectBlocked(gate(t), [
      { flow: flow(ALERTING), file: 'dist/hub/monitoring/networkpolicy-alertmanager.yaml', because: /no ingress rule admits pods of namespace monitoring .* on port 9093/ },
      { flow: scrapeAm, file: 'dist/hub/monitoring/networkpolicy-alertmanager.yaml', because: /no ingress rule/ },
    ]);
  });

  test('prometheus.yml points at another Alertmanager', () => {
    const t = tree();
    const cm = obj(t, 'dist/hub/monitoring/configmap-prometheus-config.yaml');
    cm.data['prometheus.yml'] = cm.data['prometheus.yml'].replace('alertmanager.monitoring.svc.cluster.local:9093', 'alertmanager.alerting.svc.cluster.local:9093');
    expectBlocked(gate(t), [{ flow: flow(ALERTING), file: 'dist/hub/monitoring/configmap-prometheus-config.yaml', because: /is "alertmanager.alerting.svc.cluster.local:9093", not the declared/ }]);
  });
});

describe('datasource', () => {
  test('the Prometheus Service port renamed and retargeted', () => {
    const t = tree();
    obj(t, 'dist/hub/monitoring/service-prometheus.yaml').spec.ports[0].targetPort = 'web';
    const because = /targets the container port named web, which StatefulSet\/prometheus does not expose/;
    const file = 'dist/hub/monitoring/service-prometheus.yaml';
    // Grafana's queries and both gateways' forwarding go through that Service port.
    expectBlocked(gate(t), [DATASOURCE, RW_RECEIVER, RW_DEVICE_GW].map((id) => ({ flow: flow(id), file, because })));
  });

  test('the datasource URL given a cluster-local name of another cluster\'s form', () => {
    const t = tree();
    const cm = obj(t, 'dist/hub/dashboards/configmap-grafana-provisioning.yaml');
    cm.data['datasources.yaml'] = cm.data['datasources.yaml'].replace('prometheus.monitoring.svc.cluster.local', 'prometheus.monitoring.svc.clusterset.local');
    expectBlocked(gate(t), [{ flow: flow(DATASOURCE), file: 'dist/hub/dashboards/configmap-grafana-provisioning.yaml', because: /data:datasources.yaml#\/datasources\/0\/url is "http:\/\/prometheus.monitoring.svc.clusterset.local:9090"/ }]);
  });

  test('reverting Prometheus\'s NetworkPolicy to admit no one blocks Grafana and both remote-write gateways', () => {
    const t = tree();
    const file = 'dist/hub/monitoring/networkpolicy-prometheus.yaml';
    obj(t, file).spec.ingress = [];
    expectBlocked(gate(t), [
      { flow: flow(DATASOURCE), file, because: /no ingress rule admits pods of namespace dashboards/ },
      { flow: flow(RW_RECEIVER), file, because: /no ingress rule admits pods of namespace monitoring labelled app.kubernetes.io\/name=prometheus-receiver/ },
      { flow: flow(RW_DEVICE_GW), file, because: /no ingress rule admits pods of namespace monitoring labelled app.kubernetes.io\/name=device-metrics-gateway/ },
    ]);
  });
});

test('an egress policy on Grafana\'s namespace that admits only DNS blocks both datasource flows', () => {
  const t = tree();
  const np = { file: 'dist/hub/dashboards/networkpolicy-egress.yaml', cluster: 'hub', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'egress', namespace: 'dashboards' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] } } } as Entry;
  t.set(np.file, np);
  expectBlocked(gate(t), [
    { flow: flow(DATASOURCE), file: np.file, because: /no egress rule lets the source pods reach Service monitoring\/prometheus on port 9090\/TCP/ },
    { flow: flow('datasource:hub/dashboards/grafana->hub/monitoring/alertmanager'), file: np.file, because: /Service monitoring\/alertmanager on port 9093/ },
  ]);
  (np.object as any).spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }], ports: [{ port: 9090 }] });
  expectBlocked(gate(t), [{ flow: flow('datasource:hub/dashboards/grafana->hub/monitoring/alertmanager'), file: np.file, because: /alertmanager/ }]);
  // Without a DNS rule, the names in the datasource URLs do not resolve.
  (np.object as any).spec.egress = [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }];
  expectBlocked(gate(t), [
    { flow: flow(DATASOURCE), file: np.file, because: /cluster DNS \(53\/UDP/ },
    { flow: flow('datasource:hub/dashboards/grafana->hub/monitoring/alertmanager'), file: np.file, because: /cluster DNS/ },
  ]);
  (np.object as any).spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] });
  expect(gate(t)).toEqual([]);
});

describe('model-fetch', () => {
  test('the model server Service selects no pod after a label change', () => {
    const t = tree();
    obj(t, 'dist/hub/energy/service-kepler-model-server.yaml').spec.selector['app.kubernetes.io/name'] = 'model-server';
    const because = /selects no pod template in namespace energy/;
    expectBlocked(gate(t), [MODEL_FETCH, MODEL_FETCH_REMOTE].map((id) => ({ flow: flow(id), file: 'dist/hub/energy/service-kepler-model-server.yaml', because })));
  });

  test('the exporter\'s MODEL_SERVER_URL changed by hand', () => {
    const t = tree();
    obj(t, 'dist/hub/energy/configmap-kepler-exporter.yaml').data.MODEL_SERVER_URL = 'http://kepler-model-server.energy.svc.cluster.local:8000';
    expectBlocked(gate(t), [{ flow: flow(MODEL_FETCH), file: 'dist/hub/energy/configmap-kepler-exporter.yaml', because: /not the declared http:\/\/kepler-model-server.energy.svc.cluster.local:8100/ }]);
  });
});

describe('iomt-link', () => {
  test('the producer\'s ingress rule for its consumer removed', () => {
    const t = tree();
    obj(t, 'dist/line-1/iomt/networkpolicy-object-detect.yaml').spec.ingress = [];
    expectBlocked(gate(t), [{ flow: flow(IOMT), file: 'dist/line-1/iomt/networkpolicy-object-detect.yaml', because: /no ingress rule admits pods of namespace iomt-object-detection labelled app.kubernetes.io\/name=monitoring/ }]);
  });

  test('the device thing\'s EndpointSlice deleted: its Service has no endpoints', () => {
    const t = tree();
    t.delete('dist/line-1/iomt/endpointslice-camera-device.yaml');
    const problems = gate(t);
    const named = (id: string) => problems.some((p) => p.startsWith('dist/line-1/iomt/service-camera.yaml') && p.includes(`flow ${describeFlow(flow(id))} is blocked`) && p.includes('no EndpointSlice'));
    expect(named(IOMT_DEVICE)).toBe(true);
    expect(named('iomt-link:line-1/iomt-object-detection/object-detect->line-1/iomt-object-detection/camera')).toBe(true);
  });

  test('the consumer\'s upstream URL variable removed', () => {
    const t = tree();
    const c = obj(t, 'dist/line-1/iomt/deployment-monitoring.yaml').spec.template.spec.containers[0];
    c.env = c.env.filter((e: any) => e.name !== 'IOMT_OBJECT_DETECT_URL');
    expectBlocked(gate(t), [{ flow: flow(IOMT), file: 'dist/line-1/iomt/deployment-monitoring.yaml', because: /it has no env:IOMT_OBJECT_DETECT_URL/ }]);
  });
});

describe('api-server', () => {
  test('the exporter\'s ClusterRoleBinding deleted', () => {
    const t = tree();
    t.delete('dist/hub/energy/clusterrolebinding-kepler-exporter-kepler.yaml');
    const problems = gate(t);
    expect(problems.length).toBeGreaterThan(0);
    expectBlocked(problems, [{ flow: flow(API_KEPLER), file: 'dist/hub', because: /ServiceAccount kepler\/kepler-exporter .* may not (get|list|watch) pods cluster-wide/ }]);
  });

  test('kube-state-metrics\'s ClusterRole loses watch on deployments', () => {
    const t = tree();
    const cr = obj(t, 'dist/hub/monitoring/clusterrole-kube-state-metrics-monitoring.yaml');
    for (const r of cr.rules) if (r.resources.includes('deployments')) r.resources = r.resources.filter((x: string) => x !== 'deployments');
    expectBlocked(gate(t), [{ flow: flow('api-server:hub/monitoring/kube-state-metrics->hub/api-server'), file: 'dist/hub', because: /may not list deployments.apps cluster-wide/ }]);
  });
});

// The demo with the edge agents' transport switched to Multi-Cluster Services: the flows are the synthesized ones.
const mcsResult = synthesize({ ...demoStack(), monitoring: { ...(demoStack() as any).monitoring, receiver: { ...(demoStack() as any).monitoring.receiver, exposure: { transport: 'mcs', remotePodCIDRs: ['10.42.0.0/16'] } } } } as any);
const MCS_FLOWS: Flow[] = JSON.parse(mcsResult.files.get('FLOWS.json')!).flows;
const REMOTE_WRITE = MCS_FLOWS.find((f) => f.id === RW_EDGE)!;
function mcsTree(): Map<string, Entry> {
  const m = new Map<string, Entry>();
  for (const [file, text] of mcsResult.files) if (file.endsWith('.yaml')) m.set(`dist/${file}`, { file: `dist/${file}`, cluster: file.split('/')[0], object: parse(text) });
  return m;
}
const RECEIVER_NP = 'dist/hub/monitoring/networkpolicy-prometheus-receiver.yaml';
const RECEIVER_EXPORT = 'dist/hub/monitoring/serviceexport-prometheus-receiver.yaml';

describe('remote-write (mcs)', () => {
  test('the edge agent writes through the exported receiver, admitted by its pod CIDR', () => {
    expect(REMOTE_WRITE).toMatchObject({ transport: 'mcs', from: { cidrs: ['10.42.0.0/16'] }, configured: { url: 'http://prometheus-receiver.monitoring.svc.clusterset.local:9090/api/v1/write' } });
    expect(gate(mcsTree(), MCS_FLOWS)).toEqual([]);
  });

  test("reverting the receiver's NetworkPolicy rule for the remote pod CIDR blocks the edge agent's remote write", () => {
    const t = mcsTree();
    obj(t, RECEIVER_NP).spec.ingress = [];
    expectBlocked(gate(t, MCS_FLOWS), [{ flow: REMOTE_WRITE, file: RECEIVER_NP, because: /no ingress rule admits addresses 10.42.0.0\/16 on port 9090 \(http\)\/TCP; fix: add an ingress rule with that ipBlock peer and port/ }]);
  });

  test('deleting the ServiceExport fails the flow, naming it', () => {
    const t = mcsTree();
    t.delete(RECEIVER_EXPORT);
    expectBlocked(gate(t, MCS_FLOWS), [
      { flow: REMOTE_WRITE, file: 'dist/hub', because: /no ServiceExport .* so prometheus-receiver.monitoring.svc.clusterset.local does not resolve; fix: add a ServiceExport named prometheus-receiver in namespace monitoring of cluster hub/ },
    ]);
  });

  test('an mcs flow without the source\'s pod CIDRs cannot be admitted and says what to declare', () => {
    const f: Flow = { ...REMOTE_WRITE, from: { ...(REMOTE_WRITE.from as any), cidrs: undefined } };
    expect(gate(mcsTree(), [f]).join('\n')).toMatch(/declare the source's CIDRs \(from.cidrs: the remote cluster's pod CIDRs/);
  });

  test('a cluster.local URL across clusters is caught', () => {
    const t = mcsTree();
    const cm = obj(t, 'dist/line-1/monitoring/configmap-prometheus-config.yaml');
    const cfg = parse(cm.data['prometheus.yml']);
    cfg.remote_write[0].url = 'http://prometheus-receiver.monitoring.svc.cluster.local:9090/api/v1/write';
    cm.data['prometheus.yml'] = stringify(cfg);
    expectBlocked(gate(t, MCS_FLOWS), [{ flow: REMOTE_WRITE, file: 'dist/line-1/monitoring/configmap-prometheus-config.yaml', because: /prometheus-receiver.monitoring.svc.cluster.local/ }]);
  });
});

describe('remote-write and device paths of the demo (ingress, loadBalancer)', () => {
  test("deleting the receiver's Ingress blocks the edge agent; deleting the device gateway's LoadBalancer blocks the devices", () => {
    const t = tree();
    t.delete('dist/hub/monitoring/ingress-prometheus-receiver.yaml');
    t.delete('dist/hub/monitoring/service-device-metrics-gateway-external.yaml');
    expectBlocked(gate(t), [
      { flow: flow(RW_EDGE), file: 'dist/hub', because: /no Ingress \(networking.k8s.io\) in monitoring of cluster hub routes to Service prometheus-receiver/ },
      ...[RW_DEVICES, ...RW_OTHER_SETS].map((f) => ({ flow: flow(f), file: 'dist/hub', because: /cluster hub has no Service device-metrics-gateway-external in namespace monitoring/ })),
    ]);
  });

  test("the device gateway's NetworkPolicy without the device network blocks the devices", () => {
    const t = tree();
    obj(t, 'dist/hub/monitoring/networkpolicy-device-metrics-gateway.yaml').spec.ingress = [];
    expectBlocked(
      gate(t),
      [RW_DEVICES, ...RW_OTHER_SETS].map((f) => ({ flow: flow(f), file: 'dist/hub/monitoring/networkpolicy-device-metrics-gateway.yaml', because: /no ingress rule admits addresses 10\.20\.0\.0\/24 on port 9090/ })),
    );
  });

  test("the devices' receiver URL pointed at a cluster-internal name is caught on the EdgeDeviceSet", () => {
    const t = tree();
    obj(t, 'dist/hub/fleet/edgedeviceset-cameras.yaml').spec.metrics.receiverConfiguration.url = 'http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write';
    expectBlocked(gate(t), [{ flow: flow(RW_DEVICES), file: 'dist/hub/fleet/edgedeviceset-cameras.yaml', because: /receiverConfiguration/ }]);
  });

  test("the edge API's LoadBalancer retargeted to a port the edge API pods do not serve blocks registration", () => {
    const t = tree();
    obj(t, 'dist/hub/fleet/service-flotta-edge-api-external.yaml').spec.ports[0].targetPort = 'metrics';
    expectBlocked(gate(t), [{ flow: flow(DEVICE_API), file: 'dist/hub/fleet/service-flotta-edge-api-external.yaml', because: /targets the container port named metrics/ }]);
  });

  test('deleting the model server\'s ServiceExport blocks line-1\'s model fetch', () => {
    const t = tree();
    t.delete('dist/hub/energy/serviceexport-kepler-model-server.yaml');
    expectBlocked(gate(t), [{ flow: flow(MODEL_FETCH_REMOTE), file: 'dist/hub', because: /no ServiceExport/ }]);
  });

  test("deleting line-1's energy namespace blocks its model fetch: Multi-Cluster Services import only where the namespace exists", () => {
    const t = tree();
    expect(obj(t, 'dist/line-1/platform/namespace-energy.yaml').metadata.annotations['edgewatt.io/mcs-imports']).toMatch(/energy\/kepler-model-server of cluster hub/);
    t.delete('dist/line-1/platform/namespace-energy.yaml');
    expectBlocked(gate(t), [
      {
        flow: flow(MODEL_FETCH_REMOTE),
        file: 'dist/line-1',
        because: /cluster line-1 has no namespace energy, and Multi-Cluster Services import Service energy\/kepler-model-server only into clusters where its namespace exists, so kepler-model-server.energy.svc.clusterset.local does not resolve there; fix: create Namespace energy on cluster line-1/,
      },
    ]);
  });
});

const DEVICE_RW: Flow = {
  id: 'device-remote-write:devices(hub/cameras)->hub/monitoring/prometheus',
  purpose: 'device-remote-write',
  from: { kind: 'device', cluster: 'hub', set: 'cameras', cidrs: ['10.20.0.0/24'] },
  to: { kind: 'service', cluster: 'hub', namespace: 'monitoring', service: 'prometheus', port: 9090 },
  transport: 'ingress',
  ingressControllerNamespace: 'ingress-nginx',
};
const ingress = {
  file: 'dist/hub/monitoring/ingress-prometheus.yaml',
  cluster: 'hub',
  object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'prometheus', namespace: 'monitoring' }, spec: { rules: [{ host: 'metrics.factory.example', http: { paths: [{ path: '/api/v1/write', pathType: 'Exact', backend: { service: { name: 'prometheus', port: { name: 'http' } } } }] } }] } },
} as Entry;

describe('device-remote-write (ingress)', () => {
  test('without an Ingress routing to the Service, and with the controller not admitted, it is blocked', () => {
    expectBlocked(gate(tree(), [DEVICE_RW]), [
      { flow: DEVICE_RW, file: 'dist/hub', because: /no Ingress \(networking.k8s.io\) in monitoring of cluster hub routes to Service prometheus port http/ },
      { flow: DEVICE_RW, file: 'dist/hub/monitoring/networkpolicy-prometheus.yaml', because: /no ingress rule admits pods of namespace ingress-nginx/ },
    ]);
  });

  test('with the Ingress and a rule for the controller\'s namespace it passes; breaking the backend port fails it', () => {
    const t = tree();
    t.set(ingress.file, ingress);
    obj(t, 'dist/hub/monitoring/networkpolicy-prometheus.yaml').spec.ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 9090 }] });
    expect(gate(t, [...FLOWS, DEVICE_RW])).toEqual([]);
    (ingress.object as any).spec.rules[0].http.paths[0].backend.service.port = { name: 'web' };
    expectBlocked(gate(t, [DEVICE_RW]), [{ flow: DEVICE_RW, file: 'dist/hub', because: /no Ingress .* routes to Service prometheus/ }]);
  });

  test('a device cannot use cluster DNS (transport in-cluster)', () => {
    const f: Flow = { ...DEVICE_RW, transport: 'in-cluster' };
    expect(gate(tree(), [f]).join('\n')).toMatch(/a device source has no cluster DNS/);
  });
});

describe('device-api (loadBalancer) and alert-receiver (external)', () => {
  const DEVICE_API: Flow = {
    id: 'device-api:devices(hub/cameras)->hub/monitoring/alertmanager',
    purpose: 'device-api',
    from: { kind: 'device', cluster: 'hub', set: 'cameras', cidrs: ['10.20.0.11/32'] },
    to: { kind: 'service', cluster: 'hub', namespace: 'monitoring', service: 'alertmanager', port: 9093 },
    transport: 'loadBalancer',
  };
  test('a ClusterIP Service is not reachable by a LoadBalancer flow, nor are addresses the policy does not admit', () => {
    expectBlocked(gate(tree(), [DEVICE_API]), [
      { flow: DEVICE_API, file: 'dist/hub/monitoring/service-alertmanager.yaml', because: /not of type LoadBalancer/ },
      { flow: DEVICE_API, file: 'dist/hub/monitoring/networkpolicy-alertmanager.yaml', because: /no ingress rule admits addresses 10.20.0.11\/32/ },
    ]);
    const t = tree();
    obj(t, 'dist/hub/monitoring/service-alertmanager.yaml').spec.type = 'LoadBalancer';
    obj(t, 'dist/hub/monitoring/networkpolicy-alertmanager.yaml').spec.ingress.push({ from: [{ ipBlock: { cidr: '10.20.0.0/24', except: ['10.20.0.128/25'] } }] });
    expect(gate(t, [...FLOWS, DEVICE_API])).toEqual([]);
  });

  test('an egress policy on Alertmanager without a rule for the webhook blocks the receiver flow', () => {
    const RECEIVER: Flow = {
      id: 'alert-receiver:hub/monitoring/alertmanager->https://hooks.example/alert',
      purpose: 'alert-receiver',
      from: { kind: 'pods', cluster: 'hub', namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'alertmanager' }, workload: 'StatefulSet/alertmanager' },
      to: { kind: 'external', url: 'https://hooks.example/alert' },
      transport: 'in-cluster',
    };
    expect(gate(tree(), [...FLOWS, RECEIVER])).toEqual([]);
    const t = tree();
    const deny = { file: 'dist/hub/monitoring/networkpolicy-egress.yaml', cluster: 'hub', object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'egress', namespace: 'monitoring' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] } } } as Entry;
    t.set(deny.file, deny);
    expectBlocked(gate(t, [RECEIVER]), [{ flow: RECEIVER, file: 'dist/hub/monitoring/networkpolicy-egress.yaml', because: /no egress rule lets the source pods reach https:\/\/hooks.example\/alert \(port 443\/TCP\)/ }]);
  });
});

describe('edgewatt validate and edgewatt flows on a written tree', () => {
  const K8S = sharedPath('schemas/kubernetes/swagger-v1.35.0.json');
  const dir = path.join(tmpDir(), 'dist');
  for (const [file, text] of result.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }

  test('validate reads FLOWS.json and fails, naming the flow, when a hand edit blocks it; flows prints the table', async () => {
    const c0 = captureIO();
    expect(await runCli(['validate', dir, '--k8s-openapi', K8S, '--crds', sharedPath('crds')], c0.io)).toBe(0);
    expect(c0.out()).toContain(`and the ${FLOWS.length} flows of FLOWS.json`);
    const np = path.join(dir, 'hub/energy/networkpolicy-kepler-model-server.yaml');
    const original = fs.readFileSync(np, 'utf8');
    const broken = parse(original);
    broken.spec.ingress[0].ports[0].port = 8101;
    fs.writeFileSync(np, stringify(broken));
    const c = captureIO();
    expect(await runCli(['validate', dir, '--k8s-openapi', K8S, '--crds', sharedPath('crds')], c.io)).toBe(1);
    expect(c.err()).toContain(`${dir}/hub/energy/networkpolicy-kepler-model-server.yaml: /spec/ingress: flow ${describeFlow(flow(MODEL_FETCH))} is blocked by NetworkPolicy/kepler-model-server in energy: no ingress rule admits pods of namespace kepler`);
    const t = captureIO();
    expect(await runCli(['flows', dir], t.io)).toBe(1);
    expect(t.out()).toMatch(/model-fetch +hub\/kepler\/DaemonSet\/kepler-exporter +hub\/energy\/svc\/kepler-model-server:8100 +in-cluster +BLOCKED \(1\)/);
    // The rule's port serves line-1's exporters (through the ServiceExport) too: both model fetches are blocked.
    expect(t.out()).toContain(`${FLOWS.length} flows: ${FLOWS.length - 2} ok, 2 blocked`);
    const j = captureIO();
    expect(await runCli(['flows', dir, '-o', 'json'], j.io)).toBe(1);
    const doc = JSON.parse(j.out());
    expect(doc.stack).toBe('smart-factory');
    expect(doc.flows.filter((f: any) => !f.ok).map((f: any) => f.id).sort()).toEqual([MODEL_FETCH, MODEL_FETCH_REMOTE].sort());
    fs.writeFileSync(np, original);
    const ok = captureIO();
    expect(await runCli(['flows', dir], ok.io)).toBe(0);
    expect(ok.out()).toContain(`${FLOWS.length} flows: ${FLOWS.length} ok, 0 blocked`);
  });

  test('flows without FLOWS.json is bad input with the fix', async () => {
    const empty = tmpDir();
    const c = captureIO();
    expect(await runCli(['flows', empty], c.io)).toBe(2);
    expect(c.err()).toContain('FLOWS.json: is missing: synthesize the stack with `edgewatt synth -o <dir>`');
  });
});
