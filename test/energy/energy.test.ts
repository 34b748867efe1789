import { parse } from 'yaml';
import {
  checkPolicy,
  classicConfig,
  currentConfig,
  deviceRelayWorkload,
  EXCEPTION_RULES_ANNOTATION,
  findingsToProblems,
  keplerCatalog,
  StackInput,
  ValidationError,
  VERSIONS,
} from '../../lib/internal';
import { clone, demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

function energyStack(kepler: Record<string, unknown>, extra: Record<string, unknown> = {}): StackInput {
  return { name: 'lab', clusters: [{ name: 'edge' }], energy: { kepler, ...extra }, monitoring: {} } as StackInput;
}

describe('energy', () => {
  test.each(['classic', 'current'] as const)('the %s generation synthesizes and passes every gate', (generation) => {
    const r = synthChecked(energyStack({ generation, gpu: generation === 'current', processMetrics: true }));
    const ds = objectAt(r, 'edge/energy/daemonset-kepler-exporter.yaml');
    const c = ds.spec.template.spec.containers[0];
    expect(ds.spec.template.spec.hostPID).toBe(true);
    expect(ds.spec.template.spec.tolerations[0]).toEqual({ operator: 'Exists' });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
    expect(c.ports[0].containerPort).toBe(generation === 'classic' ? 9102 : 28282);
    expect(c.image).toBe(generation === 'classic' ? 'quay.io/sustainable_computing_io/kepler:release-0.7.12' : 'quay.io/sustainable_computing_io/kepler:v0.11.4');
    expect(c.volumeMounts.filter((m: any) => m.name !== 'tmp').every((m: any) => m.readOnly)).toBe(true);
    const role = objectAt(r, 'edge/energy/clusterrole-kepler-exporter-kepler.yaml');
    const resources = role.rules.flatMap((x: any) => x.resources);
    // The kubelet's /pods only (nodes/pods), never nodes/proxy, whose get also authorizes exec through the kubelet.
    expect(resources.includes('nodes/pods')).toBe(generation === 'classic');
    expect(resources.includes('nodes/proxy')).toBe(false);
    if (generation === 'current') {
      // Kubernetes is on by the flags, with the node's name from the downward API: the file has it off (its
      // validation refuses kube.enabled without a node name, before the flags apply).
      expect(c.args).toEqual(['--config.file=/etc/kepler/config.yaml', '--kube.enable', '--kube.node-name=$(NODE_NAME)']);
      expect(c.env.find((e: any) => e.name === 'NODE_NAME')).toEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
      expect(parse(objectAt(r, 'edge/energy/configmap-kepler-exporter.yaml').data['config.yaml']).kube.enabled).toBe(false);
    }
  });

  test('the DaemonSet passes the policy only through its declared exception, and nothing else uses it', () => {
    const r = synthChecked(demoStack());
    const objects = [...r.files].filter(([file]) => file.endsWith('.yaml')).map(([file, text]) => ({ file, cluster: file.split('/')[0], object: parse(text) }));
    const excepted = objects.filter((e) => e.object.metadata.annotations?.[EXCEPTION_RULES_ANNOTATION]?.includes('privileged'));
    expect(excepted.map((e) => e.file)).toEqual(['hub/energy/daemonset-kepler-exporter.yaml', 'line-1/energy/daemonset-kepler-exporter.yaml']);
    const stripped = objects.map((e) =>
      e.file.endsWith('daemonset-kepler-exporter.yaml') ? { ...e, object: { ...e.object, metadata: { ...e.object.metadata, annotations: {} } } } : e,
    );
    const problems = findingsToProblems(checkPolicy(stripped)).map((p) => `${p.path}: ${p.message}`);
    const P = '/spec/template/spec';
    expect(problems.filter((p) => p.startsWith('hub/energy/daemonset-kepler-exporter.yaml')).map((p) => p.replace(/^[^:]+: /, '')).sort()).toEqual([
      `${P}/containers/0/securityContext/allowPrivilegeEscalation: must be false (allow-privilege-escalation)`,
      `${P}/containers/0/securityContext/capabilities/drop: must include ALL (capabilities-drop-all)`,
      `${P}/containers/0/securityContext/privileged: must not be true (privileged)`,
      `${P}/containers/0/securityContext/runAsNonRoot: must be true (here or in the pod securityContext), with a non-zero runAsUser (run-as-non-root)`,
      `${P}/hostPID: must not be true (host-pid)`,
      `${P}/volumes/0/hostPath: must not mount a host path (host-path)`,
      `${P}/volumes/1/hostPath: must not mount a host path (host-path)`,
      `${P}/volumes/2/hostPath: must not mount a host path (host-path)`,
    ]);
  });

  test('the exporter namespace is privileged with the reason, and holds only the exporter', () => {
    const r = synthChecked(demoStack());
    const ns = objectAt(r, 'hub/platform/namespace-kepler.yaml');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const inKepler = [...r.files].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t)).filter((o) => o.metadata.namespace === 'kepler' && o.spec?.template);
    expect(inKepler.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['DaemonSet/kepler-exporter', 'DaemonSet/kepler-exporter']);
  });

  test('the model server URL resolves to the model server Service: same cluster and from an edge cluster', () => {
    const r = synthChecked(demoStack());
    const svc = objectAt(r, 'hub/energy/service-kepler-model-server.yaml');
    const port = svc.spec.ports[0].port;
    expect(objectAt(r, 'hub/energy/configmap-kepler-exporter.yaml').data.MODEL_SERVER_URL).toBe(
      `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${port}`,
    );
    expect(objectAt(r, 'line-1/energy/configmap-kepler-exporter.yaml').data.MODEL_SERVER_URL).toBe(
      `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.clusterset.local:${port}`,
    );
    // Clients from another cluster arrive through the declared transport (mcs): the policy admits exactly their pod CIDR.
    expect(objectAt(r, 'hub/energy/networkpolicy-kepler-model-server.yaml').spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kepler' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'kepler-exporter', 'app.kubernetes.io/name': 'kepler-exporter' } } }, { ipBlock: { cidr: '10.52.0.0/16' } }], ports: [{ port: 8100, protocol: 'TCP' }] },
    ]);
    expect(objectAt(r, 'hub/energy/serviceexport-kepler-model-server.yaml').metadata.name).toBe(svc.metadata.name);
    const single = synthChecked(energyStack({ generation: 'classic' }, { modelServer: {} }));
    expect(objectAt(single, 'edge/energy/networkpolicy-kepler-model-server.yaml').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kepler' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'kepler-exporter', 'app.kubernetes.io/name': 'kepler-exporter' } } },
    ]);
  });

  test('the online trainer reads the hub Prometheus by its computed URL and declares why it has no probes', () => {
    const r = synthChecked(energyStack({ generation: 'classic' }, { modelServer: { onlineTrainer: true, initialModelURLs: ['https://models.example/p.zip'] } }));
    expect(objectAt(r, 'edge/energy/configmap-kepler-model-server.yaml').data).toMatchObject({
      PROM_SERVER: 'http://prometheus.monitoring.svc.cluster.local:9090',
      INITIAL_PIPELINE_URL: 'https://models.example/p.zip',
    });
    const d = objectAt(r, 'edge/energy/deployment-kepler-model-server.yaml');
    expect(d.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['server-api', 'online-trainer']);
    expect(d.metadata.annotations['edgewatt.io/policy-exceptions']).toBe('probes');
  });

  test('the model server is the release that takes the classic exporter\'s requests, and writes only to its volumes', () => {
    // kepler-operator v0.15.0 pairs Kepler release-0.7.12 with kepler_model_server v0.7.12: v0.7.11-2 refuses the
    // `machine_spec` Kepler v0.7.12 posts (HTTP 500) and mkdirs under site-packages (lib/core/versions.ts).
    expect([VERSIONS.keplerClassic.tag, VERSIONS.keplerModelServer.tag]).toEqual(['release-0.7.12', 'v0.7.12']);
    const r = synthChecked(energyStack({ generation: 'classic' }, { modelServer: { onlineTrainer: true } }));
    const d = objectAt(r, 'edge/energy/deployment-kepler-model-server.yaml');
    for (const c of d.spec.template.spec.containers) {
      expect(c.image).toBe('quay.io/sustainable_computing_io/kepler_model_server:v0.7.12');
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      // MNT_PATH (/mnt: the models volume) and RESOURCE_DIR's default under /tmp (an emptyDir) are writable.
      expect(c.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath)).toEqual(['/mnt', '/tmp']);
    }
    expect(objectAt(r, 'edge/energy/configmap-kepler-model-server.yaml').data.RESOURCE_DIR).toBeUndefined();
  });

  test('Redfish references the Secret by name and never carries a credential', () => {
    const r = synthChecked(demoStack());
    const ds = objectAt(r, 'hub/energy/daemonset-kepler-exporter.yaml');
    expect(ds.spec.template.spec.volumes.find((v: any) => v.name === 'redfish')).toEqual({ name: 'redfish', secret: { secretName: 'bmc-credentials' } });
    expect(ds.metadata.annotations['edgewatt.io/external-refs']).toBe('Secret/bmc-credentials');
    const all = [...r.files.values()].join('\n');
    expect(all).not.toMatch(/kind: Secret\n/);
    // Secret key names may say password (GF_SECURITY_ADMIN_PASSWORD from key admin-password); no value may.
    expect(all).not.toMatch(/(password|passwd)[ \t]*[:=][ \t]*\S/i);
    expect(all).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    // The BMCs' certificates are verified unless the stack says otherwise (Kepler's own default skips).
    expect(objectAt(r, 'hub/energy/configmap-kepler-exporter.yaml').data.REDFISH_SKIP_SSL_VERIFY).toBe('false');
    const s = clone(demoStack()) as any;
    s.energy.kepler.redfish.skipTLSVerify = true;
    expect(objectAt(synthChecked(s), 'hub/energy/configmap-kepler-exporter.yaml').data.REDFISH_SKIP_SSL_VERIFY).toBe('true');
    // The host's /var/run (the container runtime's socket) is not mounted: nothing reads it.
    expect(ds.spec.template.spec.volumes.map((v: any) => v.hostPath?.path).filter(Boolean)).toEqual(['/lib/modules', '/sys', '/proc']);
  });

  test('the catalog and the exporter configuration agree for every option', () => {
    for (const generation of ['classic', 'current'] as const) {
      for (const gpu of [false, true]) {
        for (const processMetrics of [false, true]) {
          const opts = { generation, gpu, processMetrics, redfish: false };
          const names = keplerCatalog(opts).map((m) => m.name);
          const gpuMetrics = names.filter((n) => /_gpu_/.test(n));
          const processMetricNames = names.filter((n) => n.startsWith('kepler_process_'));
          // Classic lists no GPU metric: its image reads no GPU (gpu is refused with classic).
          expect(gpuMetrics.length > 0).toBe(gpu && generation === 'current');
          expect(processMetricNames.length > 0).toBe(processMetrics);
          if (generation === 'classic') {
            const cfg = classicConfig(opts);
            expect(cfg.ENABLE_GPU).toBe(String(gpu));
            expect(cfg.ENABLE_PROCESS_METRICS).toBe(String(processMetrics));
            expect(names).toContain('kepler_container_package_joules_total');
          } else {
            const cfg = parse(currentConfig(opts));
            expect(cfg.experimental.gpu.enabled).toBe(gpu);
            expect(cfg.exporter.prometheus.metricsLevel.includes('process')).toBe(processMetrics);
            expect(cfg.web.listenAddresses).toEqual([':28282']);
            // Kepler v0.11.4 validates the file before its flags apply, and refuses kube.enabled without a node name:
            // off in the file, on by the DaemonSet's flags with the node's name.
            expect(cfg.kube).toMatchObject({ enabled: false, nodeName: '', podInformer: { mode: 'apiserver' } });
            expect(names).toContain('kepler_container_cpu_joules_total');
            expect(names.some((n) => n.startsWith('kepler_vm_'))).toBe(cfg.exporter.prometheus.metricsLevel.includes('vm'));
          }
        }
      }
    }
  });

  test('the device relay is an unprivileged Prometheus federating the host service the Flotta agent cannot reach', () => {
    const w = deviceRelayWorkload('measured');
    expect(w.name).toBe('kepler-host-relay');
    expect(w.metrics).toEqual({ port: 9090, path: '/federate?match%5B%5D=%7Bjob%3D%22kepler-host%22%7D' });
    const c = w.podSpec.containers[0];
    expect(c.image).toBe('quay.io/prometheus/prometheus:v3.13.2');
    expect(c.args![0]).toContain("targets: ['host.containers.internal:28282']");
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(w.podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(w.podSpec.hostPid).toBeUndefined();
    expect(deviceRelayWorkload('estimated').podSpec.containers[0].args![0]).toContain('host.containers.internal:9102');
  });

  test('operator mode: the monitoring component ships the exporter\'s PodMonitor and a PrometheusRule with its alerts, valid for the CRDs', () => {
    const s = clone(demoStack()) as any;
    s.monitoring.mode = 'prometheus-operator';
    s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
    const r = synthChecked(s);
    const pm = objectAt(r, 'line-1/monitoring/podmonitor-kepler-exporter.yaml');
    expect(pm.metadata.namespace).toBe('kepler');
    expect(pm.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    const rules = objectAt(r, 'hub/monitoring/prometheusrule-edgewatt-energy-components.yaml');
    expect(rules.spec.groups[0].rules.map((x: any) => x.alert)).toEqual(['KeplerExporterDown', 'KeplerModelServerUnavailable']);
    for (const rule of rules.spec.groups[0].rules) expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
  });

  test('GPU power with the classic generation is refused, naming why and what to do; the current generation reads NVML', () => {
    expect(() => synthChecked(energyStack({ generation: 'classic', gpu: true }))).toThrow(
      'energy.kepler.gpu: the classic image (kepler release-0.7.12) has no NVIDIA support compiled in (upstream builds it with INSTALL_DCGM=false; only release-0.7.12-dcgm reads GPUs, through a DCGM host engine on the host network, which edgewatt does not deploy), so GPU power would read 0: set energy.kepler.generation to current (NVML), or gpu: false',
    );
    const ds = objectAt(synthChecked(energyStack({ generation: 'current', gpu: true })), 'edge/energy/daemonset-kepler-exporter.yaml');
    expect(ds.spec.template.spec.containers[0].env).toContainEqual({ name: 'LD_LIBRARY_PATH', value: '/run/nvidia/driver/usr/lib64' });
  });

  test('fails with the field path when a current-generation stack asks for the model server', () => {
    expect(() => synthChecked(energyStack({ generation: 'current' }, { modelServer: {} }))).toThrow(
      'energy.modelServer: the model server works with the classic Kepler generation only',
    );
    expect(() => synthChecked(energyStack({ generation: 'current' }))).not.toThrow(ValidationError);
  });
});
