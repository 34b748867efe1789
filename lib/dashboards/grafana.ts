import { createHash } from 'crypto';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { LABEL, selectorLabels } from '../core/labels';
import { declareExternalRefs, declareNamespacePeers } from '../core/policy';
import { namespacePeer } from '../core/network';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';
import { ALERTMANAGER_DS_UID, PROMETHEUS_DS_UID } from './panels';

/** Props of Grafana. */
export interface GrafanaProps {
  readonly namespace: string;
  /** Prometheus URL, computed from its Service. */
  readonly prometheusURL: string;
  /** Alertmanager URL, when the stack runs one. @default - no Alertmanager datasource */
  readonly alertmanagerURL?: string;
  /** Secret (created outside Git) with keys admin-user and admin-password. */
  readonly adminSecret: string;
  /** Names of the dashboard ConfigMaps to mount. */
  readonly dashboardConfigMaps: ReadonlyArray<string>;
  /** Checksum of the dashboards, so a changed dashboard rolls the pod. */
  readonly dashboardsChecksum: string;
  /** Let people see dashboards without logging in, as Viewer only. @default false */
  readonly anonymousViewer?: boolean;
  /** The pods allowed to scrape Grafana's `/metrics` (Prometheus), as a NetworkPolicy peer. */
  readonly scraper: k8s.NetworkPolicyPeer;
  /**
   * Namespace of the ingress controller through which people reach Grafana (an Ingress of the user's): its pods are
   * admitted on Grafana's port. @default - none: only the scraper is admitted (kubectl port-forward is not filtered)
   */
  readonly ingressControllerNamespace?: string;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The Service name of Grafana. */
export const GRAFANA_NAME = 'grafana';

/** The datasource provisioning file: Prometheus (and Alertmanager) by computed URL, with stable uids. */
export function datasourcesYaml(prometheusURL: string, alertmanagerURL?: string): string {
  return stringify({
    apiVersion: 1,
    datasources: [
      { name: 'Prometheus', type: 'prometheus', uid: PROMETHEUS_DS_UID, access: 'proxy', url: prometheusURL, isDefault: true, editable: false, jsonData: { timeInterval: '30s' } },
      ...(alertmanagerURL ? [{ name: 'Alertmanager', type: 'alertmanager', uid: ALERTMANAGER_DS_UID, access: 'proxy', url: alertmanagerURL, editable: false, jsonData: { implementation: 'prometheus' } }] : []),
    ],
  });
}

/**
 * Grafana: non-root, read-only root filesystem (emptyDirs where it writes), probes, resources; the admin
 * credentials from a Secret reference; anonymous access off (or Viewer only); provisioned datasources and
 * a file provider over the dashboard ConfigMaps; checksums roll the pod when either changes.
 */
export class Grafana extends Construct {
  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = GRAFANA_NAME;
    const selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...selector, [LABEL.component]: 'dashboards' };
    const meta = (n: string) => ({ name: n, namespace: ns, labels });
    const datasources = datasourcesYaml(props.prometheusURL, props.alertmanagerURL);
    const provider = stringify({ apiVersion: 1, providers: [{ name: 'edgewatt', folder: 'edgewatt', type: 'file', disableDeletion: true, allowUiUpdates: false, options: { path: '/var/lib/grafana/dashboards', foldersFromFilesStructure: false } }] });
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, 'provisioning', { metadata: meta(`${name}-provisioning`), data: { 'datasources.yaml': datasources, 'dashboards.yaml': provider } });
    const secretEnv = (envName: string, key: string): k8s.EnvVar => ({ name: envName, valueFrom: { secretKeyRef: { name: props.adminSecret, key } } });
    const env: k8s.EnvVar[] = [
      secretEnv('GF_SECURITY_ADMIN_USER', 'admin-user'),
      secretEnv('GF_SECURITY_ADMIN_PASSWORD', 'admin-password'),
      { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: String(!!props.anonymousViewer) },
      ...(props.anonymousViewer ? [{ name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Viewer' }] : []),
      { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
      { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
      // Grafana 13 installs its preinstalled plugins from grafana.com at start and updates them, the image's bundled
      // ones (plugins-bundled/, e.g. the Prometheus data source) included: the update removes the running plugin first,
      // which the read-only root filesystem refuses, leaving it unregistered and every dashboard blank (grafana/grafana
      // issue 132528; [plugins] preinstall_disabled, preinstall_auto_update in pkg/setting/setting_plugins.go,
      // conf/defaults.ini). edgewatt's dashboards need only the image's Prometheus and Alertmanager data sources and
      // core panels, and edge clusters are often offline: nothing is fetched, nothing replaced.
      { name: 'GF_PLUGINS_PREINSTALL_DISABLED', value: 'true' },
      { name: 'GF_PLUGINS_PREINSTALL_AUTO_UPDATE', value: 'false' },
      { name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' },
    ];
    const http = k8s.IntOrString.fromString('http');
    const dep = new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(name),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            annotations: {
              'edgewatt.io/datasources-checksum': createHash('sha256').update(datasources + provider).digest('hex'),
              'edgewatt.io/dashboards-checksum': props.dashboardsChecksum,
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(472),
            containers: [
              {
                name: 'grafana',
                image: imageRef(VERSIONS.grafana),
                imagePullPolicy: 'IfNotPresent',
                env,
                ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'logs', mountPath: '/var/log/grafana' },
                  { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
                  { name: 'providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true },
                  { name: 'dashboards', mountPath: '/var/lib/grafana/dashboards', readOnly: true },
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: resources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } }),
                livenessProbe: { httpGet: { path: '/api/health', port: http }, initialDelaySeconds: 30, periodSeconds: 20 },
                readinessProbe: { httpGet: { path: '/api/health', port: http }, periodSeconds: 10 },
              },
            ],
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
              { name: 'logs', emptyDir: {} },
              { name: 'datasources', configMap: { name: `${name}-provisioning`, items: [{ key: 'datasources.yaml', path: 'datasources.yaml' }] } },
              { name: 'providers', configMap: { name: `${name}-provisioning`, items: [{ key: 'dashboards.yaml', path: 'dashboards.yaml' }] } },
              { name: 'dashboards', projected: { sources: props.dashboardConfigMaps.map((cm) => ({ configMap: { name: cm } })) } },
            ],
          },
        },
      },
    });
    declareExternalRefs(dep, [`Secret/${props.adminSecret}`]);
    new k8s.KubeService(this, 'service', { metadata: meta(name), spec: { selector, ports: [{ name: 'http', port: 3000, targetPort: http }] } });
    // Only the declared sources: the Prometheus that scrapes /metrics (the same port as the UI), and, when the stack names
    // it, the ingress controller people come through. Nothing else of the cluster reaches the login or the API (a
    // port open to every source would let any pod, a gateway reachable from outside among them, try the admin
    // password). kubectl port-forward enters the pod's own network namespace, which NetworkPolicies do not filter.
    const ingressController = props.ingressControllerNamespace;
    const policy = new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [props.scraper, ...(ingressController ? [namespacePeer(ingressController)] : [])],
            ports: [{ port: k8s.IntOrString.fromNumber(3000), protocol: 'TCP' }],
          },
        ],
      },
    });
    // The controller's pods are not the stack's to name: its namespace is admitted whole, on purpose.
    if (ingressController) declareNamespacePeers(policy, [ingressController], `the ingress controller (dashboards.ingressControllerNamespace) routes people to Grafana`);
  }
}
