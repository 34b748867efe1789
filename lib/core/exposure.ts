import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { ServiceEndpoint } from './endpoints';
import { namespacePeer, Platform, podsPeer } from './network';

/**
 * How a Service is reached from outside its cluster (the stack's `exposure` fields), as core data so that
 * components need not import the contract.
 */
export type ExposureSpec =
  | { readonly transport: 'mcs'; readonly remotePodCIDRs: ReadonlyArray<string> }
  | { readonly transport: 'ingress'; readonly host: string; readonly tlsSecret: string; readonly ingressClassName?: string; readonly controllerNamespace: string }
  | { readonly transport: 'loadBalancer'; readonly host: string; readonly tlsSecret: string; readonly sourceCIDRs: ReadonlyArray<string> };

/**
 * Multi-Cluster Services API version of ServiceExport. kubernetes-sigs/mcs-api v0.5.0
 * (config/crd/multicluster.x-k8s.io_serviceexports.yaml) serves v1alpha1 and v1beta1; v1alpha1 is the one the
 * implementations in the field (Submariner, GKE, Cilium ClusterMesh) serve, so it is the one written.
 */
export const SERVICE_EXPORT_API = 'multicluster.x-k8s.io/v1alpha1';

/** The name of the LoadBalancer Service that exposes Service `name`. */
export function externalServiceName(name: string): string {
  return `${name}-external`;
}

/** The Service a path through `exposure` arrives at: the LoadBalancer Service, or the Service itself. */
export function arrivalService(name: string, exposure: ExposureSpec | undefined): string {
  return exposure?.transport === 'loadBalancer' ? externalServiceName(name) : name;
}

/** The port a LoadBalancer exposure listens on (TLS). */
export const EXTERNAL_TLS_PORT = 443;

/** The URL of `endpoint` as seen from `fromCluster`, through `exposure` when the clusters differ (or for devices). */
export function exposedURL(endpoint: ServiceEndpoint, fromCluster: string | undefined, exposure: ExposureSpec | undefined, path = ''): string {
  if (fromCluster === endpoint.cluster) return `http://${endpoint.name}.${endpoint.namespace}.svc.cluster.local:${endpoint.port}${path}`;
  if (!exposure) throw new Error(`${endpoint.namespace}/${endpoint.name} is used from outside its cluster without a declared transport`);
  if (exposure.transport === 'mcs') return `http://${endpoint.name}.${endpoint.namespace}.svc.clusterset.local:${endpoint.port}${path}`;
  return `https://${exposure.host}${path}`;
}

/** Props of Exposure. */
export interface ExposureProps {
  /** The Service exposed. */
  readonly endpoint: ServiceEndpoint;
  /** Name of the Service's port (its targetPort for a LoadBalancer is the same named container port). */
  readonly portName: string;
  /** Pod labels the Service selects (for the LoadBalancer Service). */
  readonly selector: Readonly<Record<string, string>>;
  readonly exposure: ExposureSpec;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * What makes a Service reachable from outside its cluster: a ServiceExport (mcs), an Ingress with TLS
 * (ingress), or a Service of type LoadBalancer restricted to the source CIDRs, keeping the client address
 * (`externalTrafficPolicy: Local`) so that the NetworkPolicy's ipBlock sees it (loadBalancer). The NetworkPolicy peers
 * that admit exactly that path are exposurePeers'.
 */
export class Exposure extends Construct {
  constructor(scope: Construct, id: string, props: ExposureProps) {
    super(scope, id);
    const { endpoint: ep, exposure: x } = props;
    const meta = (name: string) => ({ name, namespace: ep.namespace, labels: { ...props.labels } });
    if (x.transport === 'mcs') {
      new ApiObject(this, 'export', { apiVersion: SERVICE_EXPORT_API, kind: 'ServiceExport', metadata: meta(ep.name) });
    } else if (x.transport === 'ingress') {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: meta(ep.name),
        spec: {
          ...(x.ingressClassName ? { ingressClassName: x.ingressClassName } : {}),
          tls: [{ hosts: [x.host], secretName: x.tlsSecret }],
          rules: [
            {
              host: x.host,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: ep.name, port: { name: props.portName } } } }] },
            },
          ],
        },
      });
    } else {
      new k8s.KubeService(this, 'lb', {
        // external-dns publishes the host name for the load balancer's address (kubernetes-sigs/external-dns,
        // docs/annotations/annotations.md: external-dns.alpha.kubernetes.io/hostname on a Service).
        metadata: { ...meta(externalServiceName(ep.name)), annotations: { 'external-dns.alpha.kubernetes.io/hostname': x.host } },
        spec: {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          loadBalancerSourceRanges: [...x.sourceCIDRs],
          selector: { ...props.selector },
          ports: [{ name: props.portName, port: EXTERNAL_TLS_PORT, targetPort: k8s.IntOrString.fromString(props.portName), protocol: 'TCP' }],
        },
      });
    }
  }
}

/** Pods that relay a LoadBalancer Service's connections and replace their source address. */
export interface RelayPods {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The pods that relay the connections of LoadBalancer Service `service` on a cluster of `platform`, when its load
 * balancer replaces their source address: k3s's built-in ServiceLB runs a `svclb-*` pod per node in kube-system
 * (labels `svccontroller.k3s.cattle.io/svcname` and `svcnamespace`: k3s pkg/cloudprovider/servicelb.go, release-1.34
 * commit 0b241dc, v1.34.9+k3s1) whose klipper-lb (v0.4.17 `entry`) admits only loadBalancerSourceRanges (filter FORWARD),
 * then DNATs to the node's NodePort and MASQUERADEs: a connection that takes that path reaches the pods from the
 * svclb pod's address, not the client's, whatever externalTrafficPolicy says. The source ranges still hold there.
 * Without ServiceLB (k3s --disable servicelb, MetalLB), no pod has those labels and the peer admits nothing.
 * @returns undefined elsewhere: the load balancer keeps the client address (externalTrafficPolicy Local)
 */
export function serviceLBRelay(platform: Platform, service: { readonly name: string; readonly namespace: string }): RelayPods | undefined {
  if (platform !== 'k3s') return undefined;
  return { namespace: 'kube-system', labels: { 'svccontroller.k3s.cattle.io/svcname': service.name, 'svccontroller.k3s.cattle.io/svcnamespace': service.namespace } };
}

/** The pods that relay connections through the exposure of Service `endpoint` (its LoadBalancer Service's: serviceLBRelay). */
export function exposureRelay(x: ExposureSpec, endpoint: { readonly name: string; readonly namespace: string }, platform: Platform): RelayPods | undefined {
  return x.transport === 'loadBalancer' ? serviceLBRelay(platform, { name: arrivalService(endpoint.name, x), namespace: endpoint.namespace }) : undefined;
}

/**
 * The NetworkPolicy peers that admit exactly the path of an exposure of `endpoint`: for a LoadBalancer, the source CIDRs
 * and the pods that relay the connections of its Service on the cluster's platform (exposureRelay).
 * @default platform generic
 */
export function exposurePeers(x: ExposureSpec, endpoint: { readonly name: string; readonly namespace: string }, platform: Platform = 'generic'): k8s.NetworkPolicyPeer[] {
  if (x.transport === 'mcs') return x.remotePodCIDRs.map((cidr) => ({ ipBlock: { cidr } }));
  if (x.transport === 'loadBalancer') {
    const relay = exposureRelay(x, endpoint, platform);
    return [...x.sourceCIDRs.map((cidr) => ({ ipBlock: { cidr } })), ...(relay ? [podsPeer(relay.namespace, relay.labels)] : [])];
  }
  return [namespacePeer(x.controllerNamespace)];
}
