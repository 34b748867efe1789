import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { mergeResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from '../core/security';
import { PipelineModel, ThingModel } from '../model/types';
import { consumersOf, thingInstance, thingLabels, thingSelector, upstreamEnv } from './wiring';
import { podsPeer } from '../core/network';
import { selectorLabels } from '../core/labels';
import { PROBE_SCHEMES } from '../model/iomt-things';

/** Props of MThing. */
export interface MThingProps {
  readonly pipeline: PipelineModel;
  readonly thing: ThingModel;
  /** The Prometheus pods admitted on the metrics port, as a NetworkPolicy peer. @default - the bundled Prometheus's pods in namespace monitoring */
  readonly scraper?: k8s.NetworkPolicyPeer;
  /** Address of the fleet device that runs the thing, when it runs on one. @default - runs in the cluster */
  readonly deviceAddress?: string;
  /** Addresses of consumers that run on fleet devices (their traffic comes from the device). @default {} */
  readonly consumerAddresses?: Readonly<Record<string, string>>;
  /** PriorityClass for the thing's energy class. @default - none */
  readonly priorityClassName?: string;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const GPU_PRESENT = 'nvidia.com/gpu.present';
const GPU_PRODUCT = 'nvidia.com/gpu.product';

/** The GPU request of a thing, normalized. */
export function gpuOf(t: ThingModel): { count: number; resource: string; product?: string } | undefined {
  if (t.gpu === undefined) return undefined;
  return typeof t.gpu === 'number' ? { count: t.gpu, resource: 'nvidia.com/gpu' } : { count: t.gpu.count, resource: t.gpu.resource, product: t.gpu.product };
}

/**
 * An IoMT thing (ISO/IEC 23093): a Deployment (a StatefulSet with a volume for MStorage) and a ClusterIP
 * Service named after the thing, so its DNS name is `<thing>.<namespace>.svc.cluster.local`; its upstreams'
 * addresses as environment; a NetworkPolicy that admits its consumers (and Prometheus on the metrics
 * port). A thing on a fleet device gets a Service without selector and an EndpointSlice to the device.
 */
export class MThing extends Construct {
  constructor(scope: Construct, id: string, props: MThingProps) {
    super(scope, id);
    const { pipeline: p, thing: t } = props;
    const ns = p.namespace;
    const labels = { ...props.labels, ...thingLabels(p, t) };
    const selector = thingSelector(p, t);
    const meta = (name: string) => ({ name, namespace: ns, labels });
    const ports: k8s.ServicePort[] = [
      { name: 'main', port: t.port, targetPort: k8s.IntOrString.fromString('main'), protocol: 'TCP' },
      ...(t.metricsPort ? [{ name: 'metrics', port: t.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }] : []),
    ];
    if (props.deviceAddress) {
      // On a device: consumers keep using the Service's DNS name, which resolves to the device.
      // The Service's family is the device address's: kube-proxy skips endpoints of another family than the
      // Service's (kubernetes pkg/proxy/endpointslicecache.go), and a Service gets the cluster's primary family
      // by default, so an IPv6 device behind a default Service on an IPv4 cluster would have no endpoints.
      const family = props.deviceAddress.includes(':') ? 'IPv6' : 'IPv4';
      new k8s.KubeService(this, 'service', {
        metadata: meta(t.name),
        spec: { ipFamilyPolicy: 'SingleStack', ipFamilies: [family], ports: ports.map((x) => ({ ...x, targetPort: k8s.IntOrString.fromNumber(x.name === 'metrics' ? t.metricsPort! : t.port) })) },
      });
      new k8s.KubeEndpointSlice(this, 'endpoints', {
        metadata: { name: `${t.name}-device`, namespace: ns, labels: { ...labels, 'kubernetes.io/service-name': t.name, 'endpointslice.kubernetes.io/managed-by': 'edgewatt' } },
        addressType: family,
        endpoints: [{ addresses: [props.deviceAddress], conditions: { ready: true } }],
        ports: [{ name: 'main', port: t.port, protocol: 'TCP' }, ...(t.metricsPort ? [{ name: 'metrics', port: t.metricsPort, protocol: 'TCP' }] : [])],
      });
      return;
    }
    const gpu = gpuOf(t);
    // An https thing is probed over TLS (HTTPGetAction.scheme defaults to HTTP); healthPath is refused for
    // protocols that are not HTTP (lib/model/iomt-things.ts).
    const probe = t.healthPath
      ? { httpGet: { path: t.healthPath, port: k8s.IntOrString.fromString('main'), ...(PROBE_SCHEMES[t.protocol] === 'HTTPS' ? { scheme: 'HTTPS' } : {}) } }
      : { tcpSocket: { port: k8s.IntOrString.fromString('main') } };
    const limits = mergeResources({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } }, t.resources as never);
    const res = resources(limits);
    const container: k8s.Container = {
      name: t.name,
      image: t.image,
      imagePullPolicy: 'IfNotPresent',
      env: upstreamEnv(p, t),
      ports: [{ name: 'main', containerPort: t.port, protocol: 'TCP' }, ...(t.metricsPort ? [{ name: 'metrics', containerPort: t.metricsPort, protocol: 'TCP' }] : [])],
      securityContext: restrictedContainerSecurityContext(),
      resources: gpu ? { ...res, limits: { ...res.limits, [gpu.resource]: k8s.Quantity.fromNumber(gpu.count) } } : res,
      livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 20 },
      readinessProbe: { ...probe, periodSeconds: 10 },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(t.kind === 'MStorage' ? [{ name: 'data', mountPath: '/data' }] : [])],
    };
    const lowest = Math.min(t.port, t.metricsPort ?? t.port);
    const podSpec: k8s.PodSpec = {
      serviceAccountName: t.name,
      automountServiceAccountToken: false,
      // A port below 1024 needs the pod's network namespace to let an unprivileged user bind it: the restricted
      // container runs as non-root without capabilities, and only some runtimes lower the bound by default. The
      // sysctl is a safe, namespaced one that Pod Security allows at baseline and restricted (kubernetes.io
      // "Pod Security Standards", Sysctls), set to the lowest port the thing serves.
      securityContext: lowest < 1024 ? { ...restrictedPodSecurityContext(), sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: String(lowest) }] } : restrictedPodSecurityContext(),
      priorityClassName: props.priorityClassName,
      containers: [container],
      volumes: [{ name: 'tmp', emptyDir: {} }],
      // nvidia.com/gpu.present and .product are NVIDIA's node labels (the GPU operator's, from NFD's PCI vendor
      // 10de): another vendor's GPU is scheduled by its extended resource alone.
      ...(gpu && gpu.resource.startsWith('nvidia.com/')
        ? {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_PRESENT, operator: 'In', values: ['true'] }, ...(gpu.product ? [{ key: GPU_PRODUCT, operator: 'In', values: [gpu.product] }] : [])] }],
                },
              },
            },
          }
        : {}),
      ...(gpu ? { tolerations: [{ key: gpu.resource, operator: 'Exists', effect: 'NoSchedule' }] } : {}),
    };
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(t.name), automountServiceAccountToken: false });
    const template = { metadata: { labels }, spec: podSpec };
    if (t.kind === 'MStorage') {
      new k8s.KubeStatefulSet(this, 'workload', {
        metadata: meta(t.name),
        spec: {
          serviceName: t.name,
          replicas: 1,
          selector: { matchLabels: selector },
          template,
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(t.storage ?? '10Gi') } } } }],
        },
      });
    } else {
      new k8s.KubeDeployment(this, 'workload', { metadata: meta(t.name), spec: { replicas: 1, selector: { matchLabels: selector }, template } });
    }
    new k8s.KubeService(this, 'service', { metadata: meta(t.name), spec: { selector, ports } });
    const consumers = consumersOf(p, t.name);
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    if (consumers.length > 0) {
      const onDevice = props.consumerAddresses ?? {};
      ingress.push({
        from: consumers.map((c) =>
          onDevice[c]
            ? { ipBlock: { cidr: onDevice[c].includes(':') ? `${onDevice[c]}/128` : `${onDevice[c]}/32` } }
            : { podSelector: { matchLabels: { 'app.kubernetes.io/name': c, 'app.kubernetes.io/instance': thingInstance(p.name, c) } } },
        ),
        ports: [{ port: k8s.IntOrString.fromNumber(t.port), protocol: 'TCP' }],
      });
    }
    if (t.metricsPort) {
      ingress.push({
        from: [props.scraper ?? podsPeer('monitoring', selectorLabels('prometheus', 'prometheus'))],
        ports: [{ port: k8s.IntOrString.fromNumber(t.metricsPort), protocol: 'TCP' }],
      });
    }
    new k8s.KubeNetworkPolicy(this, 'netpol', { metadata: meta(t.name), spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress } });
  }
}
