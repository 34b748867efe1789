import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { apiServerPorts, clusterDnsEgress, Platform, podsPeer } from '../core/network';
import { declareOpenEgress } from '../core/policy';
import { LABEL, selectorLabels } from '../core/labels';
import { ScrapeTarget } from '../core/monitoring-contract';
import { mergeResources, resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { imageRef, VERSIONS } from '../core/versions';

/** Name of the exporter's objects and its scrape job. */
export const KUBE_EVENTER_NAME = 'kube-eventer';

/**
 * The port of `/metrics` and `/healthz`: `--healthz-port`, default 8084 (kube-eventer 1.2.14 eventer.go,
 * `argHealthzPort`); api/api.go registers `/metrics` (promhttp) on the same default mux.
 */
export const KUBE_EVENTER_PORT = 8084;

/**
 * The user of the image: deploy/Dockerfile (tag 1.2.14) creates `nonroot` with uid and gid 1000 and sets
 * `USER nonroot:nonroot`. The name is not numeric, so the kubelet cannot prove `runAsNonRoot`: we set the uid.
 */
export const KUBE_EVENTER_UID = 1000;

/** The source flag: every namespace's core/v1 Events through the in-cluster API server (README, deploy/deploy.yaml at 1.2.14). */
export const KUBE_EVENTER_SOURCE = 'kubernetes:https://kubernetes.default';

/**
 * What kube-eventer needs from the API server: list (`Limit: 1`, for a resourceVersion, again at each reconnect) and watch of core
 * Events in every namespace (sources/kubernetes/kubernetes_source.go, `watch()`, `Events(NamespaceAll)`). The
 * upstream example also grants configmaps and get; nothing in the source reads them without a sink that does.
 */
export const KUBE_EVENTER_ACCESS = [{ verbs: ['list', 'watch'], resource: 'events', group: '' }] as const;

/** Props of KubeEventer. */
export interface KubeEventerProps {
  readonly namespace: string;
  /** Image reference, for users who mirror it. @default registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun */
  readonly image?: string;
  /** Container resources, merged over the defaults. @default - 50m CPU and 64Mi requested, 256Mi memory limit */
  readonly resources?: { readonly requests?: { cpu?: string; memory?: string }; readonly limits?: { cpu?: string; memory?: string } };
  /** The pods allowed to scrape `/metrics` (Prometheus), as a NetworkPolicy peer. @default - the pods labelled app.kubernetes.io/name=prometheus in the exporter's namespace */
  readonly scraper?: k8s.NetworkPolicyPeer;
  /**
   * The cluster's Kubernetes distribution: where its DNS runs and which port its API server serves on (what the
   * egress policy admits). @default generic
   */
  readonly platform?: Platform;
  /**
   * The API server's addresses (clusters[].apiServerCIDRs): the only ones the pod may reach on the API server's ports.
   * @default - not known: any address on those ports (declared on the policy, annotation edgewatt.io/open-egress-reason)
   */
  readonly apiServerCIDRs?: ReadonlyArray<string>;
  /** Addresses the cluster DNS answers on besides its pods (clusters[].dnsCIDRs: NodeLocal DNSCache). @default - none */
  readonly dnsCIDRs?: ReadonlyArray<string>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Default resources: the Go process holds one counter per (reason, kind, name, namespace); the limit bounds it. */
export const KUBE_EVENTER_RESOURCES: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } } = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { memory: '256Mi' },
};

/**
 * kube-eventer as a Prometheus exporter of Kubernetes Events: one replica (it has no leader election, so two
 * would count every event twice), no sink, `/metrics` on 8084; a ServiceAccount allowed list/watch on Events
 * only; a Service; a NetworkPolicy that admits only Prometheus on 8084, and lets the pod out only to DNS and
 * the API server.
 */
export class KubeEventer extends Construct {
  /** Labels selecting the exporter's pod. */
  public readonly selector: Record<string, string>;
  /** What Prometheus scrapes. */
  public readonly scrapeTarget: Omit<ScrapeTarget, 'cluster'>;

  constructor(scope: Construct, id: string, props: KubeEventerProps) {
    super(scope, id);
    const ns = props.namespace;
    const name = KUBE_EVENTER_NAME;
    this.selector = selectorLabels(name, name);
    const labels = { ...props.labels, ...this.selector, [LABEL.component]: 'event-exporter' };
    const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace: ns } : {}), labels });
    // honorLabels: the exporter's own `namespace` label is the involved object's namespace and must win over
    // any target label of that name (a PodMonitor adds one; without honor_labels it would become exported_namespace).
    this.scrapeTarget = { job: name, namespace: ns, selector: this.selector, port: 'http', path: '/metrics', perNode: false, honorLabels: true };

    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(name) });
    const cr = `${name}-${ns}`;
    new k8s.KubeClusterRole(this, 'role', {
      metadata: meta(cr, false),
      rules: KUBE_EVENTER_ACCESS.map((a) => ({ apiGroups: [a.group], resources: [a.resource], verbs: [...a.verbs] })),
    });
    new k8s.KubeClusterRoleBinding(this, 'binding', {
      metadata: meta(cr, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cr },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    const port = k8s.IntOrString.fromString('http');
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(name),
      spec: {
        // Exactly one: kube-eventer has no leader election (eventer.go starts one watch and counts what it sees).
        replicas: 1,
        // Recreate: during a rolling update two pods would both count the same events.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: this.selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurityContext(KUBE_EVENTER_UID),
            containers: [
              {
                name: 'kube-eventer',
                image: props.image ?? imageRef(VERSIONS.kubeEventer),
                imagePullPolicy: 'IfNotPresent',
                // deploy/Dockerfile: ENTRYPOINT ["/kube-eventer"]. No --sink: metrics only (`--event-metrics`
                // defaults to true in eventer.go; sinks.NewEventSinkManager accepts an empty list).
                command: ['/kube-eventer'],
                args: [`--source=${KUBE_EVENTER_SOURCE}`, `--healthz-port=${KUBE_EVENTER_PORT}`],
                // The Dockerfile sets TZ=Asia/Shanghai for log timestamps; logs in UTC like the rest of the stack.
                env: [{ name: 'TZ', value: 'UTC' }],
                ports: [{ name: 'http', containerPort: KUBE_EVENTER_PORT, protocol: 'TCP' }],
                securityContext: restrictedContainerSecurityContext(),
                resources: resources(mergeResources(KUBE_EVENTER_RESOURCES, props.resources)),
                // eventer.go serves `/healthz` (always 200 while the process serves HTTP). The checker that fails
                // when no event batch ran for 3 minutes is registered at `/healtz` (sic, api/api.go at 1.2.14); the
                // KubeEventerStale alert watches the same condition through eventer_manager_last_time_seconds.
                livenessProbe: { httpGet: { path: '/healthz', port }, initialDelaySeconds: 10, periodSeconds: 30 },
                readinessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 10 },
                // Read-only root: klog v1.0.0 (go.mod at 1.2.14) logs to stderr by default (vendor/k8s.io/klog/klog.go,
                // `logging.toStderr = true`); /tmp is writable should anything fall back to files.
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: meta(name),
      spec: { selector: this.selector, ports: [{ name: 'http', port: KUBE_EVENTER_PORT, targetPort: port, protocol: 'TCP' }] },
    });
    // Out only to the cluster DNS (to resolve kubernetes.default) and the API server's endpoints: a NetworkPolicy sees
    // the address after the kubernetes Service's DNAT, so its ports are the apiserver's own, and its addresses are
    // not pods: without apiServerCIDRs they cannot be named, and the rule admits any address on those ports.
    const platform = props.platform ?? 'generic';
    const cidrs = props.apiServerCIDRs ?? [];
    const apiPorts = apiServerPorts(platform).map((port) => ({ port, protocol: 'TCP' }));
    const policy = new k8s.KubeNetworkPolicy(this, 'netpol', {
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: this.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [props.scraper ?? podsPeer(ns, { [LABEL.name]: 'prometheus' })], ports: [{ port: k8s.IntOrString.fromNumber(KUBE_EVENTER_PORT), protocol: 'TCP' }] }],
        egress: [clusterDnsEgress(platform, props.dnsCIDRs), { ...(cidrs.length > 0 ? { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}), ports: apiPorts.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol })) }],
      },
    });
    if (cidrs.length === 0) {
      declareOpenEgress(policy, apiPorts, `the API server's addresses are not known (set clusters[].apiServerCIDRs): kube-eventer may reach any address on ${apiPorts.map((p) => p.port).join(' and ')}`);
    }
  }
}
