import { stringify } from 'yaml';
import { KEPLER_PORTS } from '../core/device-ports';
import { PolicyRule } from '../core/policy';
import { imageRef, VERSIONS } from '../core/versions';
import { CatalogOptions, currentMetricsLevels } from './catalog';

/** A read-only host path the exporter mounts. */
export interface HostMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly type?: string;
}

/** Everything that differs between the two Kepler generations. */
export interface KeplerGeneration {
  readonly image: string;
  readonly port: number;
  readonly metricsPath: string;
  readonly healthPath: string;
  readonly hostMounts: ReadonlyArray<HostMount>;
  /** Where the ConfigMap is mounted, and whether as a folder of keys or one file. */
  readonly configMount: { readonly mountPath: string; readonly subPath?: string };
  /** RBAC rules of the exporter's ClusterRole. */
  readonly rules: ReadonlyArray<{ readonly resources: string[]; readonly verbs: string[] }>;
  /** The policy rules the privileged exporter is excepted from. */
  readonly exceptions: ReadonlyArray<PolicyRule>;
  readonly defaultResources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}

/** Options that shape the exporter's configuration. */
export interface KeplerConfigOptions extends CatalogOptions {
  /** Model server URL (classic), when one is deployed. */
  readonly modelServerURL?: string;
  /** Whether Redfish platform power is read (classic). */
  readonly redfish: boolean;
  /** Accept the BMCs' certificates unverified (classic, Redfish). @default false */
  readonly redfishSkipTLSVerify?: boolean;
}

/** The exporter is excepted from these rules in both generations: it reads host counters as root. */
const EXPORTER_EXCEPTIONS: PolicyRule[] = ['privileged', 'host-pid', 'host-path', 'run-as-non-root', 'allow-privilege-escalation', 'capabilities-drop-all'];

/** Kepler v0.7.12: manifests/k8s/config/exporter/exporter.yaml and config/rbac. */
export const CLASSIC: KeplerGeneration = {
  image: imageRef(VERSIONS.keplerClassic),
  port: KEPLER_PORTS.classic,
  metricsPath: '/metrics',
  healthPath: '/healthz',
  // Upstream's exporter.yaml also mounts the host's /var/run, which nothing in v0.7.12 reads (its only /var/run path is
  // the service account token, pkg/kubelet/kubelet_pod_lister.go saPath, which the kubelet mounts itself): left out, as
  // it handed the pod the container runtime's socket, and read-only it would hold the token's mount point.
  // /lib/modules stays: libbpf may read the kernel's BTF there where /sys/kernel/btf/vmlinux is missing.
  hostMounts: [
    { name: 'lib-modules', hostPath: '/lib/modules', mountPath: '/lib/modules', type: 'Directory' },
    { name: 'tracing', hostPath: '/sys', mountPath: '/sys', type: 'Directory' },
    { name: 'proc', hostPath: '/proc', mountPath: '/proc', type: 'Directory' },
  ],
  configMount: { mountPath: '/etc/kepler/kepler.config' },
  // The classic exporter watches its node's pods (pkg/kubernetes/watcher.go NewObjListWatcher, a Pod informer filtered
  // by spec.nodeName) and lists live containers through the kubelet's /pods (pkg/kubelet/kubelet_pod_lister.go
  // ListPods, a GET of https://<node>:10250/pods). It never reads Node objects (its node name comes from NODE_NAME,
  // pkg/node/node.go), so no `nodes` (kepler v0.7.12). The kubelet's /pods is authorized as `nodes/pods` from
  // Kubernetes 1.33 (KubeletFineGrainedAuthz, KEP-2862: beta and on by default in 1.33, GA in 1.36), so that is what is
  // granted, not upstream's `nodes/proxy`: `get` on nodes/proxy also authorizes the kubelet's /exec, /run and /attach
  // (a websocket exec is a GET), that is commands in any container of every node. On an older cluster the kubelet
  // answers 403 and only the exporter's clean-up of stopped containers' stats is skipped (pkg/collector/
  // metric_collector.go handleInactiveContainers logs the error at V(5) and returns).
  rules: [
    { resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    { resources: ['nodes/pods'], verbs: ['get'] },
  ],
  exceptions: EXPORTER_EXCEPTIONS,
  defaultResources: { requests: { cpu: '100m', memory: '400Mi' }, limits: { memory: '800Mi' } },
};

/** Kepler v0.11.4: manifests/k8s/{daemonset,configmap,rbac}.yaml. */
export const CURRENT: KeplerGeneration = {
  image: imageRef(VERSIONS.keplerCurrent),
  port: KEPLER_PORTS.current,
  metricsPath: '/metrics',
  healthPath: '/metrics',
  hostMounts: [
    { name: 'sysfs', hostPath: '/sys', mountPath: '/host/sys' },
    { name: 'procfs', hostPath: '/proc', mountPath: '/host/proc' },
  ],
  configMount: { mountPath: '/etc/kepler/config.yaml', subPath: 'config.yaml' },
  // Pods come from the API server (podInformer.mode: apiserver: internal/k8s/pod/pod.go setupManager, a cache of Pods
  // filtered by spec.nodeName), so no kubelet access, and no `nodes` either: only the kubelet mode reads a Node, its own
  // (internal/k8s/pod/kubelet.go discoverKubeletEndpoint; kepler v0.11.4). The shipped rbac.yaml grants more.
  rules: [{ resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
  exceptions: EXPORTER_EXCEPTIONS,
  defaultResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
};

/** The GPU driver mount of the current generation (NVIDIA). */
export const NVIDIA_DRIVER_MOUNT: HostMount = { name: 'nvidia-driver', hostPath: '/run/nvidia/driver', mountPath: '/run/nvidia/driver' };

/** The generation's facts. */
export function generation(name: 'classic' | 'current'): KeplerGeneration {
  return name === 'classic' ? CLASSIC : CURRENT;
}

/** Classic configuration: environment-style keys, one file per key in /etc/kepler/kepler.config. */
export function classicConfig(o: KeplerConfigOptions): Record<string, string> {
  const data: Record<string, string> = {
    BIND_ADDRESS: `0.0.0.0:${CLASSIC.port}`,
    METRIC_PATH: CLASSIC.metricsPath,
    ENABLE_EBPF_CGROUPID: 'true',
    ENABLE_GPU: String(o.gpu),
    ENABLE_PROCESS_METRICS: String(o.processMetrics),
    EXPOSE_HW_COUNTER_METRICS: 'true',
    EXPOSE_IRQ_COUNTER_METRICS: 'false',
    KEPLER_LOG_LEVEL: '1',
  };
  if (o.redfish) {
    data.REDFISH_PROBE_INTERVAL_IN_SECONDS = '60';
    // Kepler v0.7.12 defaults to skipping (pkg/config/config.go getBoolConfig("REDFISH_SKIP_SSL_VERIFY", true)); edgewatt
    // verifies unless asked, against the image's system CAs (pkg/sensors/platform/source/redfish_util.go sets no RootCAs).
    data.REDFISH_SKIP_SSL_VERIFY = String(o.redfishSkipTLSVerify ?? false);
  }
  if (o.modelServerURL) {
    data.MODEL_SERVER_ENABLE = 'true';
    data.MODEL_SERVER_URL = o.modelServerURL;
    data.MODEL_SERVER_MODEL_REQ_PATH = '/model';
    data.MODEL_SERVER_MODEL_LIST_PATH = '/best-models';
  }
  return data;
}

/** Current configuration: one YAML document, config.yaml, as the v0.11 ConfigMap holds it. */
export function currentConfig(o: KeplerConfigOptions): string {
  const config = {
    log: { level: 'info', format: 'text' },
    host: { sysfs: '/host/sys', procfs: '/host/proc' },
    monitor: { interval: '5s', staleness: '500ms', maxTerminated: 100, minTerminatedEnergyThreshold: 10 },
    rapl: { zones: [] as string[] },
    exporter: { stdout: { enabled: false }, prometheus: { enabled: true, metricsLevel: currentMetricsLevels(o) } },
    web: { configFile: '', listenAddresses: [`:${CURRENT.port}`] },
    debug: { pprof: { enabled: false } },
    // Off in the file, as upstream's manifests/k8s/configmap.yaml has it: the DaemonSet's flags turn it on with the
    // node's name (--kube.enable, --kube.node-name, lib/energy/kepler-exporter.ts). Kepler validates the file before
    // it applies the flags (cmd/kepler/main.go parseArgsAndConfig: config.FromFile → Load → Validate), and Validate
    // refuses `enabled: true` without a node name ("kube.node-name not supplied but kube.enable set to true",
    // config/config.go; kepler v0.11.4): with it on here, every exporter exited at start.
    kube: { enabled: false, config: '', nodeName: '', podInformer: { mode: 'apiserver' } },
    experimental: { gpu: { enabled: o.gpu, idlePower: 0 } },
  };
  // The same few configurations on every cluster: the YAML of each is made once (yaml's stringify costs about a
  // millisecond per document, once per cluster otherwise).
  const key = JSON.stringify(config);
  let text = configTexts.get(key);
  if (text === undefined) configTexts.set(key, (text = stringify(config, { lineWidth: 0 })));
  return text;
}

/** currentConfig's YAML by the JSON of the configuration (a handful of distinct ones: gpu, metrics levels). */
const configTexts = new Map<string, string>();
