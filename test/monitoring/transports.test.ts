import { parse } from 'yaml';
import { SpecError, StackInput } from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

/** The demo with its transports replaced by `edit`. */
function stack(edit: (s: any) => void): StackInput {
  const s = clone(demoStack()) as any;
  edit(s);
  return s;
}

function promConfig(r: ReturnType<typeof synthChecked>, file: string): any {
  return parse(objectAt(r, file).data['prometheus.yml']);
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a SpecError');
}

/** Every Service port of `svc`, resolved to the container port of the pods it selects. */
function targetContainerPort(r: ReturnType<typeof synthChecked>, svcFile: string, stsFile: string, portName: string): number {
  const svc = objectAt(r, svcFile);
  const sts = objectAt(r, stsFile);
  const labels = sts.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
  const port = svc.spec.ports.find((p: any) => p.name === portName);
  const target = port.targetPort;
  const c = sts.spec.template.spec.containers[0].ports.find((p: any) => p.name === target || p.containerPort === target);
  return c.containerPort;
}

describe('transports: every path that leaves a cluster goes through a declared, authenticated endpoint', () => {
  const demo = synthChecked(demoStack());

  test('the hub Prometheus admits exactly Grafana and the two gateways, and is itself never exposed', () => {
    const np = objectAt(demo, 'hub/monitoring/networkpolicy-prometheus.yaml');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dashboards' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'grafana', 'app.kubernetes.io/name': 'grafana' } } },
      { podSelector: { matchLabels: objectAt(demo, 'hub/monitoring/service-prometheus-receiver.yaml').spec.selector } },
      { podSelector: { matchLabels: objectAt(demo, 'hub/monitoring/service-device-metrics-gateway.yaml').spec.selector } },
    ]);
    // Each admitted gateway forwards to the hub Service's port, which reaches the container the policy opens.
    expect(np.spec.ingress[0].ports).toEqual([{ port: targetContainerPort(demo, 'hub/monitoring/service-prometheus.yaml', 'hub/monitoring/statefulset-prometheus.yaml', 'http'), protocol: 'TCP' }]);
    for (const gw of ['prometheus-receiver', 'device-metrics-gateway']) {
      const url = promConfig(demo, `hub/monitoring/configmap-${gw}-config.yaml`).remote_write[0].url;
      expect(url).toBe('http://prometheus.monitoring.svc.cluster.local:9090/api/v1/write');
    }
    const exposed = [...demo.files.keys()].filter((f) => /\/(ingress|serviceexport)-prometheus\.yaml$/.test(f));
    expect(exposed).toEqual([]);
    expect(objectAt(demo, 'hub/monitoring/statefulset-prometheus.yaml').spec.template.spec.containers[0].args.some((a: string) => a.startsWith('--web.config.file'))).toBe(false);
  });

  test('the gateways, which discover nothing and scrape nothing, hold no ServiceAccount token; the Prometheus that discover do', () => {
    for (const gw of ['prometheus-receiver', 'device-metrics-gateway']) {
      expect(promConfig(demo, `hub/monitoring/configmap-${gw}-config.yaml`).scrape_configs).toEqual([]);
      expect(objectAt(demo, `hub/monitoring/serviceaccount-${gw}.yaml`).automountServiceAccountToken).toBe(false);
      expect(objectAt(demo, `hub/monitoring/statefulset-${gw}.yaml`).spec.template.spec.automountServiceAccountToken).toBe(false);
    }
    for (const f of ['hub/monitoring/statefulset-prometheus.yaml', 'line-1/monitoring/statefulset-prometheus.yaml']) {
      expect(objectAt(demo, f).spec.template.spec.automountServiceAccountToken).toBeUndefined();
    }
  });

  test('ingress: the edge agent writes to the receiver host over https with basic auth from a mounted Secret', () => {
    const cfg = promConfig(demo, 'line-1/monitoring/configmap-prometheus-config.yaml');
    const ingress = objectAt(demo, 'hub/monitoring/ingress-prometheus-receiver.yaml');
    const host = ingress.spec.rules[0].host;
    expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: 'prometheus-receiver-tls' }]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'prometheus-receiver', port: { name: 'http' } });
    expect(targetContainerPort(demo, 'hub/monitoring/service-prometheus-receiver.yaml', 'hub/monitoring/statefulset-prometheus-receiver.yaml', 'http')).toBe(9090);
    expect(cfg.remote_write).toHaveLength(1);
    const rw = cfg.remote_write[0];
    expect(rw.url).toBe(`https://${host}/api/v1/write`);
    expect(rw.basic_auth.username).toBe('edge');
    // The password file is the mounted Secret's key: the Secret's name and key from the stack, never a value.
    const agent = objectAt(demo, 'line-1/monitoring/statefulset-prometheus.yaml').spec.template.spec;
    const mount = agent.containers[0].volumeMounts.find((m: any) => rw.basic_auth.password_file.startsWith(`${m.mountPath}/`));
    const volume = agent.volumes.find((v: any) => v.name === mount.name);
    expect(volume.secret.secretName).toBe('prometheus-remote-write');
    expect(rw.basic_auth.password_file).toBe(`${mount.mountPath}/password`);
    expect(JSON.stringify(cfg)).not.toMatch(/password"?:/);
  });

  test('the receiver requires authentication: its web configuration comes from the declared Secret', () => {
    const sts = objectAt(demo, 'hub/monitoring/statefulset-prometheus-receiver.yaml').spec.template.spec;
    const c = sts.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['--web.config.file=/etc/prometheus/web/web.yml', '--web.enable-remote-write-receiver']));
    const web = c.volumeMounts.find((m: any) => m.mountPath === '/etc/prometheus/web');
    expect(sts.volumes.find((v: any) => v.name === web.name).secret).toEqual({ secretName: 'prometheus-receiver-web', items: [{ key: 'web.yml', path: 'web.yml' }] });
    // Basic auth covers /-/ready too, so the probes are TCP checks.
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'http' });
    // It admits only the ingress controller's namespace.
    const np = objectAt(demo, 'hub/monitoring/networkpolicy-prometheus-receiver.yaml');
    expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }]);
  });

  test('mcs: a ServiceExport of the receiver, a clusterset URL, and the remote pod CIDRs admitted', () => {
    const r = synthChecked(
      stack((s) => {
        s.monitoring.receiver.exposure = { transport: 'mcs', remotePodCIDRs: ['10.52.0.0/16', '10.62.0.0/16'] };
      }),
    );
    const exp = objectAt(r, 'hub/monitoring/serviceexport-prometheus-receiver.yaml');
    expect(exp.metadata).toMatchObject({ name: 'prometheus-receiver', namespace: 'monitoring' });
    const svc = objectAt(r, 'hub/monitoring/service-prometheus-receiver.yaml');
    expect(promConfig(r, 'line-1/monitoring/configmap-prometheus-config.yaml').remote_write[0].url).toBe(
      `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.clusterset.local:${svc.spec.ports[0].port}/api/v1/write`,
    );
    expect(objectAt(r, 'hub/monitoring/networkpolicy-prometheus-receiver.yaml').spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.52.0.0/16' } }, { ipBlock: { cidr: '10.62.0.0/16' } }]);
    expect([...r.files.keys()].filter((f) => f.includes('ingress-prometheus-receiver'))).toEqual([]);
  });

  test('loadBalancer: source ranges, client address kept, and the gateway serves TLS itself', () => {
    const r = synthChecked(
      stack((s) => {
        s.fleet.receiver.exposure = { transport: 'loadBalancer', host: 'metrics.devices.example', tlsSecret: 'device-tls', sourceCIDRs: ['192.168.10.0/24'] };
      }),
    );
    const lb = objectAt(r, 'hub/monitoring/service-device-metrics-gateway-external.yaml');
    expect(lb.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['192.168.10.0/24'] });
    expect(lb.spec.ports).toEqual([{ name: 'http', port: 443, targetPort: 'http', protocol: 'TCP' }]);
    const gw = objectAt(r, 'hub/monitoring/statefulset-device-metrics-gateway.yaml').spec.template.spec;
    expect(gw.containers[0].args).toContain('--web.config.file=/etc/prometheus/web/web.yml');
    expect(parse(objectAt(r, 'hub/monitoring/configmap-device-metrics-gateway-web.yaml').data['web.yml'])).toEqual({
      tls_server_config: { cert_file: '/etc/prometheus/tls/tls.crt', key_file: '/etc/prometheus/tls/tls.key' },
    });
    expect(gw.volumes.find((v: any) => v.name === 'tls').secret).toEqual({ secretName: 'device-tls' });
    // The source range, and (the hub is k3s) the ServiceLB pods that relay the LoadBalancer's connections (test/flows/servicelb-relay.test.ts).
    expect(objectAt(r, 'hub/monitoring/networkpolicy-device-metrics-gateway.yaml').spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '192.168.10.0/24' } },
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'svccontroller.k3s.cattle.io/svcname': 'device-metrics-gateway-external', 'svccontroller.k3s.cattle.io/svcnamespace': 'monitoring' } },
      },
    ]);
    expect(objectAt(r, 'hub/fleet/edgedeviceset-cameras.yaml').spec.metrics.receiverConfiguration.url).toBe('https://metrics.devices.example/api/v1/write');
  });

  test('devices get an external https URL and the CA to trust; the gateway labels their series with cluster and device', () => {
    const set = objectAt(demo, 'hub/fleet/edgedeviceset-cameras.yaml');
    const rc = set.spec.metrics.receiverConfiguration;
    const lb = objectAt(demo, 'hub/monitoring/service-device-metrics-gateway-external.yaml');
    expect(rc.url).toBe(`https://${lb.metadata.annotations['external-dns.alpha.kubernetes.io/hostname']}/api/v1/write`);
    expect([...demo.files.keys()].filter((f) => f.includes('ingress-device-metrics-gateway'))).toEqual([]);
    expect(rc.url).not.toMatch(/svc\.cluster(set)?\.local/);
    expect(rc.caSecretName).toBe('device-metrics-ca');
    const cfg = promConfig(demo, 'hub/monitoring/configmap-device-metrics-gateway-config.yaml');
    expect(cfg.global.external_labels).toEqual({ cluster: 'hub' });
    expect(cfg.remote_write[0].write_relabel_configs).toEqual([{ source_labels: ['edgedeviceid'], regex: '(.+)', target_label: 'device', replacement: '$1', action: 'replace' }]);
  });

  test('a fleet on an edge cluster forwards device series through the hub receiver with the agents\' credentials', () => {
    const r = synthChecked(
      stack((s) => {
        s.fleet.cluster = 'line-1';
      }),
    );
    const cfg = promConfig(r, 'line-1/monitoring/configmap-device-metrics-gateway-config.yaml');
    expect(cfg.global.external_labels).toEqual({ cluster: 'line-1' });
    expect(cfg.remote_write[0]).toMatchObject({ url: 'https://metrics.factory.example/api/v1/write', basic_auth: { username: 'edge', password_file: '/etc/prometheus/secrets/prometheus-remote-write/password' } });
    expect(objectAt(r, 'hub/monitoring/networkpolicy-prometheus.yaml').spec.ingress[0].from).toHaveLength(2); // Grafana, receiver
  });

  test("devices' metrics through an Ingress (open to any client of the controller: Flotta's agent sends no credentials) only on the stack's say-so", () => {
    const ingress = { transport: 'ingress', host: 'device-metrics.factory.example', tlsSecret: 'device-metrics-tls' };
    const out = problems(() =>
      synthChecked(
        stack((s) => {
          s.fleet.receiver.exposure = ingress;
        }),
      ),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^fleet\.receiver\.exposure\.transport: ingress would let any client that reaches the ingress controller write series into the hub/);
    expect(out[0]).toMatch(/transport: loadBalancer, host: .*sourceCIDRs: \[.*or set fleet\.receiver\.unauthenticatedIngress: true/);
    const r = synthChecked(
      stack((s) => {
        s.fleet.receiver = { ...s.fleet.receiver, exposure: ingress, unauthenticatedIngress: true };
      }),
    );
    expect(objectAt(r, 'hub/fleet/edgedeviceset-cameras.yaml').spec.metrics.receiverConfiguration.url).toBe(
      `https://${objectAt(r, 'hub/monitoring/ingress-device-metrics-gateway.yaml').spec.rules[0].host}/api/v1/write`,
    );
    // The edge agents' path through an Ingress authenticates (basic auth at the receiver): no say-so needed.
    expect(demo.files.has('hub/monitoring/ingress-prometheus-receiver.yaml')).toBe(true);
  });

  test('the Flotta edge API is reachable by devices: a LoadBalancer passing mTLS through to the edge API pods', () => {
    const svc = objectAt(demo, 'hub/fleet/service-flotta-edge-api-external.yaml');
    expect(svc.metadata.namespace).toBe('flotta');
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['10.20.0.0/24'], selector: { app: 'flotta-edge-api' } });
    expect(svc.spec.ports).toEqual([{ name: 'yggds', port: 443, targetPort: 'yggds', protocol: 'TCP' }]);
  });

  test('cross-cluster model fetch: the exporter URL is the exported Service; the model server admits the remote pods', () => {
    const exp = objectAt(demo, 'hub/energy/serviceexport-kepler-model-server.yaml');
    const svc = objectAt(demo, 'hub/energy/service-kepler-model-server.yaml');
    expect(exp.metadata.name).toBe(svc.metadata.name);
    expect(objectAt(demo, 'line-1/energy/configmap-kepler-exporter.yaml').data.MODEL_SERVER_URL).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc.clusterset.local:${svc.spec.ports[0].port}`);
    expect(objectAt(demo, 'hub/energy/configmap-kepler-exporter.yaml').data.MODEL_SERVER_URL).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}`);
    expect(objectAt(demo, 'hub/energy/networkpolicy-kepler-model-server.yaml').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kepler' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'kepler-exporter', 'app.kubernetes.io/name': 'kepler-exporter' } } },
      { ipBlock: { cidr: '10.52.0.0/16' } },
    ]);
  });

  test('a path that leaves a cluster without a declared transport is an error naming the field and the fix', () => {
    const out = problems(() =>
      synthChecked(
        stack((s) => {
          delete s.monitoring.receiver;
          delete s.fleet.receiver;
          delete s.fleet.edgeAPI;
          delete s.energy.modelServer.exposure;
        }),
      ),
    );
    expect(out.map((p) => p.split(':')[0])).toEqual(['energy.modelServer.exposure', 'fleet.edgeAPI', 'fleet.receiver', 'monitoring.receiver']);
    expect(out[3]).toMatch(/agents of "line-1" remote-write to the hub "hub".*receiver: \{ exposure:/);
    expect(out[2]).toMatch(/cannot resolve cluster DNS/);
  });

  test('an external host that only resolves inside a cluster, and a TLS load balancer in front of plain HTTP, are rejected at parse', () => {
    const out = problems(() =>
      synthChecked(
        stack((s) => {
          s.fleet.receiver.exposure.host = 'prometheus.monitoring.svc.cluster.local';
          s.energy.modelServer.exposure = { transport: 'loadBalancer', host: 'models.example.com', tlsSecret: 'x', sourceCIDRs: ['10.0.0.0/8'] };
          s.monitoring.receiver.exposure = { transport: 'mcs', remotePodCIDRs: ['10.52.0.0'] };
        }),
      ),
    );
    expect(out.find((p) => p.startsWith('fleet.receiver.exposure.host'))).toMatch(/only resolves inside a cluster/);
    expect(out.find((p) => p.startsWith('energy.modelServer.exposure'))).toBeDefined();
    expect(out.find((p) => p.startsWith('monitoring.receiver.exposure.remotePodCIDRs[0]'))).toMatch(/CIDR/);
  });

  test('a three-cluster stack with devices and a fleet on an edge cluster synthesizes, validates and proves every flow', () => {
    const r = synthChecked(
      stack((s) => {
        s.clusters.push({ name: 'line-2', server: 'https://line-2.factory.example:6443' });
        s.energy.kepler.clusters = ['hub', 'line-1', 'line-2'];
        s.monitoring.receiver.exposure = { transport: 'mcs', remotePodCIDRs: ['10.52.0.0/16', '10.62.0.0/16'] };
        s.fleet.cluster = 'line-2';
        s.energy.modelServer.exposure = { transport: 'ingress', host: 'models.factory.example', tlsSecret: 'models-tls' };
      }),
    );
    const flows = JSON.parse(r.files.get('FLOWS.json')!).flows as Array<{ id: string; transport: string }>;
    // line-1 and line-2 agents, and line-2's device gateway, write to the hub receiver through the ServiceExport.
    expect(flows.filter((f) => f.id.startsWith('remote-write:') && f.id.endsWith('->hub/prometheus-receiver')).map((f) => `${f.id} ${f.transport}`).sort()).toEqual([
      'remote-write:line-1/prometheus->hub/prometheus-receiver mcs',
      'remote-write:line-2/device-metrics-gateway->hub/prometheus-receiver mcs',
      'remote-write:line-2/prometheus->hub/prometheus-receiver mcs',
    ]);
    expect(flows.filter((f) => f.id.startsWith('model-fetch:line-')).map((f) => f.transport)).toEqual(['ingress', 'ingress']);
    expect(promConfig(r, 'line-2/monitoring/configmap-device-metrics-gateway-config.yaml').global.external_labels).toEqual({ cluster: 'line-2' });
    expect(objectAt(r, 'hub/energy/ingress-kepler-model-server.yaml').spec.rules[0].host).toBe('models.factory.example');
  });
});
