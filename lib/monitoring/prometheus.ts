import { createHash } from 'crypto';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ServiceEndpoint } from '../core/endpoints';
import { LABEL, selectorLabels } from '../core/labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';
import { declareExternalRefs } from '../core/policy';
import { PrometheusConfig } from './prometheus-config';

/** Props of Prometheus. */
export interface PrometheusProps {
  readonly namespace: string;
  readonly cluster: string;
  /** The whole prometheus.yml. */
  readonly config: PrometheusConfig;
  /** Rule files (name → content), mounted in /etc/prometheus/rules. @default - none */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /** `server` keeps data and evaluates rules (the hub); `agent` only scrapes and remote-writes. @default server */
  readonly mode?: 'server' | 'agent';
  /** Accept remote write from devices and edge clusters (server). @default false */
  readonly remoteWriteReceiver?: boolean;
  /** Retention of samples (server). @default 15d */
  readonly retention?: string;
  /** Size of the data volume. @default 50Gi for a server, 5Gi for an agent (its write-ahead log) */
  readonly storage?: string;
  /** Namespaces whose pods Prometheus discovers; it gets a Role in each. */
  readonly discoveryNamespaces: ReadonlyArray<string>;
  /** Read node labels (for the selection policy's `always` labels): a ClusterRole on nodes. @default false */
  readonly readNodes?: boolean;
  /** Service and workload name. @default prometheus */
  readonly name?: string;
  /** The only sources the NetworkPolicy admits on the HTTP port (readers and writers). @default [] (nothing; Prometheus scrapes itself on localhost) */
  readonly admit?: ReadonlyArray<k8s.NetworkPolicyPeer>;
  /**
   * Secret (created outside Git) with key web.yml, a Prometheus web configuration (basic auth, TLS), passed with
   * `--web.config.file`. The web configuration covers every path, /-/ready included, so probes become TCP checks.
   * @default - no web configuration
   */
  readonly webConfigSecret?: string;
  /** Web configuration without secrets (TLS file paths only) as a ConfigMap; exclusive with webConfigSecret. @default - none */
  readonly webConfig?: Readonly<Record<string, unknown>>;
  /** Secret of type kubernetes.io/tls mounted at /etc/prometheus/tls, for a web configuration that serves TLS. @default - none */
  readonly tlsSecret?: string;
  /** Secrets mounted read-only at /etc/prometheus/secrets/<name>, for credentials files in the configuration. @default [] */
  readonly secretMounts?: ReadonlyArray<string>;
  /** Labels of the pods, beyond the selector, to tell the workloads apart. @default - the mode (prometheus or prometheus-agent) */
  readonly role?: string;
  /**
   * nonResourceURLs Prometheus may `get` with its service account token, for targets behind kube-rbac-proxy
   * (which asks the API server with a SubjectAccessReview): a ClusterRole and its binding. @default []
   */
  readonly metricsReaderURLs?: ReadonlyArray<string>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The Service name of Prometheus. */
export const PROMETHEUS_NAME = 'prometheus';

/**
 * Prometheus as a StatefulSet with a data volume, its configuration as a ConfigMap (a change rolls the pod
 * through a checksum annotation), namespaced discovery RBAC, a Service and a NetworkPolicy.
 */
export class Prometheus extends Construct {
  public readonly endpoint: ServiceEndpoint;
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const ns = props.namespace;
    const mode = props.mode ?? 'server';
    const name = props.name ?? PROMETHEUS_NAME;
    this.endpoint = { name, namespace: ns, port: 9090, cluster: props.cluster };
    this.selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...this.selector, [LABEL.component]: props.role ?? (mode === 'server' ? 'prometheus' : 'prometheus-agent') };
    const meta = (n: string, namespace: string | undefined = ns) => ({ name: n, ...(namespace ? { namespace } : {}), labels });
    const configText = stringify(props.config, { lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: false });
    const rules = props.ruleFiles ?? {};
    // A Prometheus that discovers nothing in the API and reads no endpoint with its token (a remote-write gateway: no
    // scrape jobs) gets no token: its pod, reachable from outside the cluster, would hold a credential it never uses.
    const usesToken =
      props.discoveryNamespaces.length > 0 || props.readNodes === true || (props.metricsReaderURLs ?? []).length > 0 || /kubernetes_sd_configs|\/var\/run\/secrets\/kubernetes\.io\//.test(configText);
    const noToken = usesToken ? {} : { automountServiceAccountToken: false };
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name), ...noToken });
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(`${name}-config`), data: { 'prometheus.yml': configText } });
    if (Object.keys(rules).length > 0) new k8s.KubeConfigMap(this, 'rules', { metadata: meta(`${name}-rules`), data: { ...rules } });
    for (const target of [...new Set(props.discoveryNamespaces)].sort()) {
      const roleName = `${name}-discovery-${ns}`;
      new k8s.KubeRole(this, `role-${target}`, { metadata: meta(roleName, target), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
      new k8s.KubeRoleBinding(this, `binding-${target}`, {
        metadata: meta(roleName, target),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      });
    }
    if (props.readNodes) {
      const cr = `${name}-nodes-${ns}`;
      new k8s.KubeClusterRole(this, 'nodes', { metadata: meta(cr, undefined), rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }] });
      new k8s.KubeClusterRoleBinding(this, 'nodes-binding', {
        metadata: meta(cr, undefined),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cr },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      });
    }
    if (props.webConfig) new k8s.KubeConfigMap(this, 'web', { metadata: meta(`${name}-web`), data: { 'web.yml': stringify(props.webConfig, { lineWidth: 0 }) } });
    const web = props.webConfigSecret ?? (props.webConfig ? `${name}-web` : undefined);
    const secrets = [...new Set(props.secretMounts ?? [])].sort();
    const urls = [...new Set(props.metricsReaderURLs ?? [])].sort();
    if (urls.length > 0) {
      const cr = `${name}-metrics-reader-${ns}`;
      new k8s.KubeClusterRole(this, 'metrics-reader', { metadata: meta(cr, undefined), rules: [{ nonResourceUrLs: urls, verbs: ['get'] }] });
      new k8s.KubeClusterRoleBinding(this, 'metrics-reader-binding', {
        metadata: meta(cr, undefined),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cr },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      });
    }
    const args = [
      '--config.file=/etc/prometheus/config/prometheus.yml',
      '--web.listen-address=:9090',
      ...(web ? ['--web.config.file=/etc/prometheus/web/web.yml'] : []),
      ...(mode === 'agent'
        ? ['--agent', '--storage.agent.path=/prometheus']
        : [`--storage.tsdb.path=/prometheus`, `--storage.tsdb.retention.time=${props.retention ?? '15d'}`, ...(props.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : [])]),
    ];
    const checksum = createHash('sha256').update(configText).update(JSON.stringify(rules)).digest('hex');
    const http = k8s.IntOrString.fromString('http');
    const sts = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: meta(name),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: this.selector },
        template: {
          metadata: { labels, annotations: { 'edgewatt.io/config-checksum': checksum } },
          spec: {
            serviceAccountName: name,
            ...noToken,
            securityContext: restrictedPodSecurityContext(65534),
            containers: [
              {
                name: 'prometheus',
                image: imageRef(VERSIONS.prometheus),
                imagePullPolicy: 'IfNotPresent',
                args,
                ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }],
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/prometheus/config', readOnly: true },
                  ...(Object.keys(rules).length > 0 ? [{ name: 'rules', mountPath: '/etc/prometheus/rules', readOnly: true }] : []),
                  { name: 'data', mountPath: '/prometheus' },
                  ...(web ? [{ name: 'web', mountPath: '/etc/prometheus/web', readOnly: true }] : []),
                  ...(props.tlsSecret ? [{ name: 'tls', mountPath: '/etc/prometheus/tls', readOnly: true }] : []),
                  ...secrets.map((s) => ({ name: `secret-${s}`, mountPath: `/etc/prometheus/secrets/${s}`, readOnly: true })),
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: resources(mode === 'agent' ? { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } } : { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '4Gi' } }),
                livenessProbe: { ...(web ? { tcpSocket: { port: http } } : { httpGet: { path: '/-/healthy', port: http } }), initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 6 },
                readinessProbe: { ...(web ? { tcpSocket: { port: http } } : { httpGet: { path: '/-/ready', port: http } }), periodSeconds: 10, failureThreshold: 30 },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: `${name}-config` } },
              ...(Object.keys(rules).length > 0 ? [{ name: 'rules', configMap: { name: `${name}-rules` } }] : []),
              ...(props.webConfigSecret ? [{ name: 'web', secret: { secretName: props.webConfigSecret, items: [{ key: 'web.yml', path: 'web.yml' }] } }] : []),
              ...(props.webConfig ? [{ name: 'web', configMap: { name: `${name}-web` } }] : []),
              ...(props.tlsSecret ? [{ name: 'tls', secret: { secretName: props.tlsSecret } }] : []),
              ...secrets.map((s) => ({ name: `secret-${s}`, secret: { secretName: s } })),
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(props.storage ?? (mode === 'agent' ? '5Gi' : '50Gi')) } } },
          },
        ],
      },
    });
    const external = [props.webConfigSecret, props.tlsSecret, ...secrets].filter((x): x is string => !!x).map((x) => `Secret/${x}`);
    if (external.length > 0) declareExternalRefs(sts, external);
    new k8s.KubeService(this, 'service', {
      metadata: meta(name),
      spec: { selector: this.selector, ports: [{ name: 'http', port: 9090, targetPort: http }] },
    });
    const admit = props.admit ?? [];
    new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: this.selector },
        policyTypes: ['Ingress'],
        ingress: admit.length > 0 ? [{ from: [...admit], ports: [{ port: k8s.IntOrString.fromNumber(9090), protocol: 'TCP' }] }] : [],
      },
    });
  }
}
