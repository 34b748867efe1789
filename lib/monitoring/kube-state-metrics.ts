import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { LABEL, selectorLabels } from '../core/labels';
import { ScrapeTarget } from '../core/monitoring-contract';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';
import { KSM_POD_LABELS_ALLOWLIST } from './catalogs';

/** The resources kube-state-metrics reports: exactly those the rules and dashboards use. */
const KSM_RESOURCES: Array<{ group: string; resource: string; flag: string }> = [
  { group: '', resource: 'pods', flag: 'pods' },
  { group: '', resource: 'nodes', flag: 'nodes' },
  { group: '', resource: 'persistentvolumeclaims', flag: 'persistentvolumeclaims' },
  { group: 'apps', resource: 'deployments', flag: 'deployments' },
  { group: 'apps', resource: 'daemonsets', flag: 'daemonsets' },
  { group: 'apps', resource: 'statefulsets', flag: 'statefulsets' },
];

/** What kube-state-metrics reads from the API server: list/watch of each reported resource, cluster-wide. */
export function ksmApiAccess(): Array<{ verbs: string[]; resource: string; group?: string }> {
  return KSM_RESOURCES.map((r) => ({ verbs: ['list', 'watch'], resource: r.resource, ...(r.group ? { group: r.group } : {}) }));
}

/** kube-state-metrics's scrape target in `namespace`. */
export function ksmScrapeTarget(namespace: string): Omit<ScrapeTarget, 'cluster'> {
  return { job: KSM_NAME, namespace, selector: selectorLabels(KSM_NAME, KSM_NAME), port: 'http-metrics', path: '/metrics', perNode: false, honorLabels: true };
}

/** Props of KubeStateMetrics. */
export interface KubeStateMetricsProps {
  readonly namespace: string;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The job name of kube-state-metrics. */
export const KSM_NAME = 'kube-state-metrics';

/** kube-state-metrics, reporting only the resources the stack alerts on, with list/watch on exactly those. */
export class KubeStateMetrics extends Construct {
  public readonly scrapeTarget: Omit<ScrapeTarget, 'cluster'>;

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = KSM_NAME;
    const selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...selector, [LABEL.component]: 'exporter' };
    const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace: ns } : {}), labels });
    this.scrapeTarget = ksmScrapeTarget(ns);
    const cr = `${name}-${ns}`;
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name) });
    const groups = [...new Set(KSM_RESOURCES.map((r) => r.group))];
    new k8s.KubeClusterRole(this, 'role', {
      metadata: meta(cr, false),
      rules: groups.map((g) => ({ apiGroups: [g], resources: KSM_RESOURCES.filter((r) => r.group === g).map((r) => r.resource), verbs: ['list', 'watch'] })),
    });
    new k8s.KubeClusterRoleBinding(this, 'binding', {
      metadata: meta(cr, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cr },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(name),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: restrictedPodSecurityContext(65534),
            containers: [
              {
                name: 'kube-state-metrics',
                image: imageRef(VERSIONS.kubeStateMetrics),
                imagePullPolicy: 'IfNotPresent',
                args: ['--port=8080', '--telemetry-port=8081', `--resources=${KSM_RESOURCES.map((r) => r.flag).join(',')}`, `--metric-labels-allowlist=${KSM_POD_LABELS_ALLOWLIST}`],
                ports: [
                  { name: 'http-metrics', containerPort: 8080, protocol: 'TCP' },
                  { name: 'telemetry', containerPort: 8081, protocol: 'TCP' },
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: resources({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } }),
                // 5 s as upstream's examples/standard/deployment.yaml (v2.19.1): /livez asks the API server
                // (pkg/app/server.go handleClusterDelegationForProber), which a busy edge API server may answer in more
                // than the 1 s default, and each failure would restart the exporter every kube_* alert reads.
                livenessProbe: { httpGet: { path: '/livez', port: k8s.IntOrString.fromString('http-metrics') }, initialDelaySeconds: 5, periodSeconds: 15, timeoutSeconds: 5 },
                readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('telemetry') }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5 },
              },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: meta(name),
      spec: { clusterIp: 'None', selector, ports: [{ name: 'http-metrics', port: 8080, targetPort: k8s.IntOrString.fromString('http-metrics') }] },
    });
    new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: selectorLabels('prometheus', 'prometheus') } }], ports: [{ port: k8s.IntOrString.fromNumber(8080), protocol: 'TCP' }] }],
      },
    });
  }
}
