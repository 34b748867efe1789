import { createHash } from 'crypto';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { LABEL, selectorLabels } from '../core/labels';
import { ScrapeTarget } from '../core/monitoring-contract';
import { declareExternalRefs, declarePolicyException } from '../core/policy';
import { mergeResources, resources } from '../core/security';
import { KEPLER_EXCEPTION_REASON } from '../model/namespaces';
import { classicConfig, currentConfig, generation, KeplerGeneration, NVIDIA_DRIVER_MOUNT } from './generations';
import { podsPeer } from '../core/network';

/** Props of KeplerExporter. */
export interface KeplerExporterProps {
  /** Namespace of the exporter; must enforce Pod Security `privileged` and hold nothing else. */
  readonly namespace: string;
  /** Kepler line: `classic` (0.7) or `current` (0.10+). @default current */
  readonly generation?: 'classic' | 'current';
  /** Measure NVIDIA GPU power. @default false */
  readonly gpu?: boolean;
  /** Emit per-process metrics. @default false */
  readonly processMetrics?: boolean;
  /** Secret (created outside Git) with the BMC credentials file redfish.csv; classic only. @default - no Redfish */
  readonly redfishSecret?: string;
  /** Accept the BMCs' certificates unverified (Kepler cannot be given a CA). @default false */
  readonly redfishSkipTLSVerify?: boolean;
  /** URL of the Kepler model server; classic only. @default - no model server */
  readonly modelServerURL?: string;
  /** Run only on nodes with these labels. @default - every node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations added to the default, which tolerates every taint. @default - none */
  readonly tolerations?: ReadonlyArray<k8s.Toleration>;
  /** Container resources, merged over the generation's defaults. @default - 100m CPU requested; 400Mi/800Mi (classic) or 128Mi/512Mi (current) memory */
  readonly resources?: { readonly requests?: { cpu?: string; memory?: string }; readonly limits?: { cpu?: string; memory?: string } };
  /** The pods that may scrape the exporter (Prometheus), as a NetworkPolicy peer. @default - the bundled Prometheus's pods in namespace monitoring */
  readonly scraper?: k8s.NetworkPolicyPeer;
  /** Labels added to every object (the stack's labels). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Name of the PriorityClass this construct creates for the exporter. @default kepler-node-agent */
  readonly priorityClassName?: string;
}

/** Name of the exporter's objects (DaemonSet, Service, ServiceAccount, ConfigMap). */
export const KEPLER_EXPORTER_NAME = 'kepler-exporter';

/**
 * The Kepler power exporter: a DaemonSet on every node, its least-privilege RBAC, configuration, headless
 * Service, NetworkPolicy, PriorityClass, and the Pod Security exception it needs, declared with its reason.
 */
export class KeplerExporter extends Construct {
  /** The generation's facts (ports, mounts, image). */
  public readonly gen: KeplerGeneration;
  /** Labels selecting the exporter's pods. */
  public readonly selector: Record<string, string>;
  /** The ConfigMap data, as written. */
  public readonly config: Record<string, string>;
  /** What Prometheus should scrape. */
  public readonly scrapeTarget: Omit<ScrapeTarget, 'cluster'>;

  constructor(scope: Construct, id: string, props: KeplerExporterProps) {
    super(scope, id);
    const genName = props.generation ?? 'current';
    const gen = generation(genName);
    this.gen = gen;
    const gpu = props.gpu ?? false;
    const processMetrics = props.processMetrics ?? false;
    if (genName === 'current' && (props.redfishSecret || props.modelServerURL)) {
      throw new Error('KeplerExporter: redfishSecret and modelServerURL work with generation classic only');
    }
    // kepler release-0.7.12 is built without NVIDIA support: its GPU power would read 0 (lib/model/resolve.ts).
    if (genName === 'classic' && gpu) throw new Error('KeplerExporter: gpu works with generation current only (the classic image reads no GPU)');
    const ns = props.namespace;
    const name = KEPLER_EXPORTER_NAME;
    this.selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...this.selector, [LABEL.component]: 'power-exporter' };
    const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace: ns } : {}), labels });
    const opts = { generation: genName, gpu, processMetrics, redfish: !!props.redfishSecret, redfishSkipTLSVerify: props.redfishSkipTLSVerify, modelServerURL: props.modelServerURL } as const;
    this.config = genName === 'classic' ? classicConfig(opts) : { 'config.yaml': currentConfig(opts) };
    this.scrapeTarget = { job: name, namespace: ns, selector: this.selector, port: 'http', path: gen.metricsPath, perNode: true };

    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name) });
    const clusterName = `${name}-${ns}`;
    new k8s.KubeClusterRole(this, 'role', {
      metadata: meta(clusterName, false),
      rules: gen.rules.map((r) => ({ apiGroups: [''], resources: r.resources, verbs: r.verbs })),
    });
    new k8s.KubeClusterRoleBinding(this, 'binding', {
      metadata: meta(clusterName, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(name), data: this.config });
    const priorityClassName = props.priorityClassName ?? 'kepler-node-agent';
    new k8s.KubePriorityClass(this, 'priority', {
      metadata: meta(priorityClassName, false),
      value: 100000000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Node agents of the edgewatt stack: power measurement must not be evicted before workloads.',
    });

    const mounts = [...gen.hostMounts, ...(genName === 'current' && gpu ? [NVIDIA_DRIVER_MOUNT] : [])];
    const volumes: k8s.Volume[] = [
      ...mounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath, ...(m.type ? { type: m.type } : {}) } })),
      { name: 'config', configMap: { name } },
      { name: 'tmp', emptyDir: {} },
      ...(props.redfishSecret ? [{ name: 'redfish', secret: { secretName: props.redfishSecret } }] : []),
    ];
    const volumeMounts: k8s.VolumeMount[] = [
      ...mounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
      { name: 'config', mountPath: gen.configMount.mountPath, readOnly: true, ...(gen.configMount.subPath ? { subPath: gen.configMount.subPath } : {}) },
      { name: 'tmp', mountPath: '/tmp' },
      ...(props.redfishSecret ? [{ name: 'redfish', mountPath: '/etc/redfish', readOnly: true }] : []),
    ];
    const env: k8s.EnvVar[] = [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }];
    if (genName === 'classic') env.push({ name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
    if (gpu && genName === 'current') env.push({ name: 'LD_LIBRARY_PATH', value: '/run/nvidia/driver/usr/lib64' });
    const args =
      genName === 'classic'
        ? ['-v=1', ...(props.redfishSecret ? ['-redfish-cred-file-path=/etc/redfish/redfish.csv'] : [])]
        : ['--config.file=/etc/kepler/config.yaml', '--kube.enable', '--kube.node-name=$(NODE_NAME)'];
    const checksum = createHash('sha256').update(JSON.stringify(this.config)).digest('hex');

    const ds = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: meta(name),
      spec: {
        selector: { matchLabels: this.selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: {
          metadata: {
            labels,
            annotations: {
              'edgewatt.io/config-checksum': checksum,
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(gen.port),
              'prometheus.io/path': gen.metricsPath,
            },
          },
          spec: {
            serviceAccountName: name,
            hostPid: true,
            priorityClassName,
            nodeSelector: props.nodeSelector ? { ...props.nodeSelector } : undefined,
            tolerations: [{ operator: 'Exists' }, ...(props.tolerations ?? [])],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'kepler',
                image: gen.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/bin/kepler'],
                args,
                ports: [{ name: 'http', containerPort: gen.port, protocol: 'TCP' }],
                env,
                volumeMounts,
                securityContext: { privileged: true, runAsUser: 0, runAsNonRoot: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: true },
                resources: resources(mergeResources(gen.defaultResources, props.resources as never)),
                livenessProbe: { httpGet: { path: gen.healthPath, port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 10, periodSeconds: 60, timeoutSeconds: 10, failureThreshold: 5 },
                readinessProbe: { httpGet: { path: gen.metricsPath, port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 5, periodSeconds: 30, timeoutSeconds: 10 },
              },
            ],
            volumes,
          },
        },
      },
    });
    declarePolicyException(ds, { rules: gen.exceptions, reason: KEPLER_EXCEPTION_REASON });
    if (props.redfishSecret) declareExternalRefs(ds, [`Secret/${props.redfishSecret}`]);

    new k8s.KubeService(this, 'service', {
      metadata: meta(name),
      spec: { clusterIp: 'None', selector: this.selector, ports: [{ name: 'http', port: gen.port, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: this.selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [props.scraper ?? podsPeer('monitoring', selectorLabels('prometheus', 'prometheus'))],
            ports: [{ port: k8s.IntOrString.fromNumber(gen.port), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
