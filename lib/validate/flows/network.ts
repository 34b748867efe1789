import { isIP } from 'net';
import { ApiServerDestination, Flow, PodsDestination, ServiceDestination, UpstreamPods } from '../../core/flows';
import { KUBERNETES_NAMESPACES } from '../../core/names';
import { apiServerPorts, CLUSTER_DNS_SERVERS } from '../../core/network';
import { namespaceCreatedBy } from '../created-namespaces';
import { Entry } from '../types';
import { containerPort, FlowContext, labelText } from './context';
import { egressVerdict, ingressVerdict, Peer, TargetPort } from './network-policy';
import { ClusterObjects, PodTemplate } from './objects';
import { mapSelects, selects } from './selectors';

/** The source pods of a flow (the first workload whose template carries the declared labels). */
export function sourcePods(ctx: FlowContext): { objs: ClusterObjects; pod: PodTemplate } | undefined {
  const f = ctx.flow.from;
  if (f.kind !== 'pods') return undefined;
  const objs = ctx.cluster(f.cluster);
  if (!objs) return undefined;
  const pod = objs.pods.find((t) => t.namespace === f.namespace && selects({ matchLabels: f.podLabels }, t.labels));
  if (!pod) {
    ctx.fail(undefined, `no workload in namespace ${f.namespace} has pods labelled ${labelText(f.podLabels)}`, `deploy the source workload, or fix the flow's source labels`, '', f.cluster);
    return undefined;
  }
  return { objs, pod };
}

interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

/** Where a connection lands: pods and their port, or (a Service without selector) addresses. */
type Landing = { kind: 'pods'; pods: PodTemplate[]; port: TargetPort } | { kind: 'addresses'; cidrs: string[]; port: TargetPort } | undefined;

function servicePortIndex(svc: Entry, port: number | string): number {
  const ports = ((svc.object as { spec?: { ports?: ServicePort[] } }).spec?.ports ?? []) as ServicePort[];
  return ports.findIndex((p) => (typeof port === 'number' ? p.port === port : p.name === port));
}

/** Checks the transport: the Service is reachable from the source by the declared way (DNS, ServiceExport, Ingress, LoadBalancer). */
function checkTransport(ctx: FlowContext, objs: ClusterObjects, svc: Entry, to: ServiceDestination, sp: ServicePort): void {
  const f = ctx.flow;
  const src = f.from;
  const where = `${to.namespace}/${to.service}`;
  switch (f.transport) {
    case 'in-cluster':
      if (src.kind !== 'pods') ctx.fail(undefined, `a ${src.kind} source has no cluster DNS, so it cannot reach ${where} in-cluster`, 'declare the flow with transport ingress or loadBalancer and expose the Service there', '', to.cluster);
      else if (src.cluster !== to.cluster) ctx.fail(undefined, `cluster.local names resolve only in their own cluster (${src.cluster} ≠ ${to.cluster})`, 'use transport mcs with a ServiceExport, or an external endpoint', '', to.cluster);
      return;
    case 'mcs':
      if (!objs.kind('ServiceExport').some((e) => e.object.apiVersion.startsWith('multicluster.x-k8s.io/') && e.object.metadata.name === to.service && e.object.metadata.namespace === to.namespace)) {
        ctx.fail(undefined, `cluster ${to.cluster} has no ServiceExport (multicluster.x-k8s.io) of Service ${where}, so ${to.service}.${to.namespace}.svc.clusterset.local does not resolve`, `add a ServiceExport named ${to.service} in namespace ${to.namespace} of cluster ${to.cluster}`, '', to.cluster);
      }
      if (src.kind === 'pods' && src.cluster !== to.cluster) checkImportNamespace(ctx, src.cluster, src.namespace, to);
      return;
    case 'ingress': {
      const routes = objs.kind('Ingress').filter((e) => e.object.apiVersion.startsWith('networking.k8s.io/') && (e.object.metadata.namespace ?? 'default') === to.namespace && ingressRoutesTo(e, to.service, sp));
      if (routes.length === 0) ctx.fail(undefined, `no Ingress (networking.k8s.io) in ${to.namespace} of cluster ${to.cluster} routes to Service ${to.service} port ${sp.name ?? sp.port}`, `add an Ingress rule whose backend is service ${to.service}, port ${sp.name ? `name ${sp.name}` : `number ${sp.port}`}`, '', to.cluster);
      return;
    }
    case 'loadBalancer':
      if ((svc.object as { spec?: { type?: string } }).spec?.type !== 'LoadBalancer') ctx.fail(svc, 'the Service is not of type LoadBalancer, so nothing outside the cluster reaches it', 'set spec.type: LoadBalancer (or declare transport ingress with an Ingress)', '/spec/type');
      return;
  }
}

/**
 * An exported Service is imported only into clusters where its namespace exists (kubernetes/enhancements
 * keps/sig-multicluster/1645-multi-cluster-services-api/README.md, "Importing Services": "A multi-cluster service
 * will be imported only by clusters in which the service's namespace exists"; Cilium's ServiceImport controller
 * and Submariner's Lighthouse agent both wait for it), so the namespace must exist on the source's cluster: one of
 * Kubernetes' own, the source pods' own, a Namespace of the output, one the output's objects are in (an existing
 * install's), or the destination namespace of an Argo CD Application there that creates it (`CreateNamespace=true`).
 */
function checkImportNamespace(ctx: FlowContext, cluster: string, sourceNamespace: string, to: ServiceDestination): void {
  if (sourceNamespace === to.namespace || KUBERNETES_NAMESPACES.includes(to.namespace)) return;
  const objs = ctx.cluster(cluster);
  if (!objs || objs.holdsObjectsIn(to.namespace) || [...objs.kind('Namespace'), ...objs.kind('Application')].some((e) => namespaceCreatedBy(e) === to.namespace)) return;
  ctx.fail(
    undefined,
    `cluster ${cluster} has no namespace ${to.namespace}, and Multi-Cluster Services import Service ${to.namespace}/${to.service} only into clusters where its namespace exists, so ${to.service}.${to.namespace}.svc.clusterset.local does not resolve there`,
    `create Namespace ${to.namespace} on cluster ${cluster}`,
    '',
    cluster,
  );
}

/** Whether an Ingress has a path whose backend is `service` at the Service port `sp` (by number or name). */
export function ingressRoutesTo(e: Entry, service: string, sp: ServicePort): boolean {
  type Backend = { service?: { name: string; port?: { number?: number; name?: string } } };
  const spec = (e.object as { spec?: { defaultBackend?: Backend; rules?: Array<{ http?: { paths?: Array<{ backend?: Backend }> } }> } }).spec ?? {};
  const backends = [spec.defaultBackend, ...(spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend))];
  return backends.some((b) => b?.service?.name === service && (b.service.port?.number === sp.port || (sp.name !== undefined && b.service.port?.name === sp.name)));
}

/** Resolves a Service destination to its pods and container port, with findings for what is missing. */
function serviceLanding(ctx: FlowContext, objs: ClusterObjects, to: ServiceDestination): Landing {
  const svc = objs.find('Service', to.service, to.namespace);
  if (!svc) {
    ctx.fail(undefined, `cluster ${to.cluster} has no Service ${to.service} in namespace ${to.namespace}`, `create the Service, or point the flow at the Service that exists`, '', to.cluster);
    return undefined;
  }
  const spec = (svc.object as { spec?: { selector?: Record<string, string>; ports?: ServicePort[] } }).spec ?? {};
  const i = servicePortIndex(svc, to.port);
  if (i < 0) {
    ctx.fail(svc, `the Service has no port ${typeof to.port === 'number' ? to.port : `named ${to.port}`}`, `add the port to spec.ports (ports: ${(spec.ports ?? []).map((p) => p.name ?? p.port).join(', ') || 'none'})`, '/spec/ports');
    return undefined;
  }
  const sp = spec.ports![i];
  checkTransport(ctx, objs, svc, to, sp);
  const protocol = sp.protocol ?? 'TCP';
  if (!spec.selector || Object.keys(spec.selector).length === 0) {
    // A Service without selector: its EndpointSlices (kubernetes.io/service-name) carry the addresses.
    const slices = objs.kind('EndpointSlice').filter((e) => e.object.metadata.namespace === to.namespace && e.object.metadata.labels?.['kubernetes.io/service-name'] === to.service);
    type Slice = { endpoints?: Array<{ addresses?: string[] }>; ports?: Array<{ name?: string; port?: number }> };
    const matching = slices.filter((e) => ((e.object as unknown as Slice).ports ?? []).some((p) => (p.name ?? '') === (sp.name ?? '')));
    if (matching.length === 0) {
      ctx.fail(svc, `the Service has no selector and no EndpointSlice (label kubernetes.io/service-name=${to.service}) with port ${sp.name ?? '""'}, so it has no endpoints`, 'give the Service a selector, or write its EndpointSlice', '/spec/selector');
      return undefined;
    }
    const slice = matching[0].object as unknown as Slice;
    const port = slice.ports!.find((p) => (p.name ?? '') === (sp.name ?? ''))!;
    return { kind: 'addresses', cidrs: (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []), port: { number: port.port ?? sp.port, name: sp.name, protocol } };
  }
  const pods = objs.pods.filter((t) => t.namespace === to.namespace && mapSelects(spec.selector, t.labels));
  // Pods an upstream Application installs stand in as declared from its release (the flow names the source).
  const up = to.upstreamPods;
  if (pods.length === 0 && up && mapSelects(spec.selector, up.labels)) {
    pods.push(upstreamTemplate(to.namespace, up, svc));
  }
  if (pods.length === 0) {
    ctx.fail(svc, `its selector ${labelText(spec.selector)} selects no pod template in namespace ${to.namespace}`, 'make spec.selector a subset of the destination pods\' labels', '/spec/selector');
    return undefined;
  }
  const target = sp.targetPort ?? sp.port;
  const cp = containerPort(pods[0], typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target);
  if (!cp || cp.protocol !== protocol) {
    ctx.fail(svc, `port ${sp.name ?? sp.port} targets ${typeof target === 'number' ? `container port ${target}` : `the container port named ${target}`}, which ${pods[0].entry.object.kind}/${pods[0].entry.object.metadata.name} does not expose (${protocol})`, `set targetPort to a port the container declares, or declare it in the container's ports`, `/spec/ports/${i}/targetPort`);
    return undefined;
  }
  return { kind: 'pods', pods, port: { number: cp.number, name: cp.name, protocol } };
}

/** The pods an upstream Application installs, as the flow declares them from the upstream release. */
function upstreamTemplate(namespace: string, up: UpstreamPods, entry?: Entry): PodTemplate {
  const e = entry ?? { file: up.source, cluster: '', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: up.source, namespace } } };
  return { entry: e, namespace, labels: { ...up.labels }, serviceAccount: 'default', containers: [{ name: 'upstream', ports: up.ports.map((p) => ({ ...p, protocol: 'TCP' })) }] };
}

/** Resolves a pods destination (a scrape) to its pods and container port. */
function podsLanding(ctx: FlowContext, objs: ClusterObjects, to: PodsDestination): Landing {
  const pods = objs.pods.filter((t) => t.namespace === to.namespace && selects({ matchLabels: to.podLabels }, t.labels));
  const up = to.upstreamPods;
  if (pods.length === 0 && up && selects({ matchLabels: to.podLabels }, up.labels)) pods.push(upstreamTemplate(to.namespace, up));
  if (pods.length === 0) {
    ctx.fail(undefined, `no workload in namespace ${to.namespace} of cluster ${to.cluster} has pods labelled ${labelText(to.podLabels)}`, 'deploy the destination workload, or fix the flow\'s labels', '', to.cluster);
    return undefined;
  }
  const cp = containerPort(pods[0], to.port);
  if (!cp) {
    ctx.fail(pods[0].entry, `no container exposes port ${to.port}`, `declare the port (name ${to.port}) in the container's ports`, '/spec/template/spec/containers');
    return undefined;
  }
  return { kind: 'pods', pods, port: { number: cp.number, name: cp.name, protocol: to.protocol ?? cp.protocol } };
}

/** The source as the destination's NetworkPolicies see it, or undefined (after a finding) when it cannot be known. */
function sourcePeer(ctx: FlowContext, f: Flow, src: { pod: PodTemplate } | undefined): Peer | undefined {
  const cluster = f.to.kind === 'service' || f.to.kind === 'pods' ? f.to.cluster : undefined;
  switch (f.transport) {
    case 'in-cluster':
      return src ? { kind: 'pod', namespace: src.pod.namespace, labels: src.pod.labels } : undefined;
    case 'ingress':
      if (!f.ingressControllerNamespace) {
        ctx.fail(undefined, 'the flow does not say which namespace the ingress controller runs in, so its admission cannot be checked', 'declare ingressControllerNamespace on the flow', '', cluster);
        return undefined;
      }
      return { kind: 'pod', namespace: f.ingressControllerNamespace, labels: {} };
    case 'mcs':
    case 'loadBalancer': {
      const cidrs = f.from.cidrs;
      if (!cidrs || cidrs.length === 0) {
        ctx.fail(undefined, `traffic by ${f.transport} arrives from the source's addresses, which the flow does not declare`, `declare the source's CIDRs (from.cidrs: the remote cluster's pod CIDRs, or the devices' addresses)`, '', cluster);
        return undefined;
      }
      return { kind: 'cidrs', cidrs };
    }
  }
}

/** Checks a flow to a Service or to pods: existence, selection, ports, transport, NetworkPolicies both ways. */
export function checkNetworkPath(ctx: FlowContext): void {
  const f = ctx.flow;
  const to = f.to;
  if (to.kind !== 'service' && to.kind !== 'pods') return;
  const src = sourcePods(ctx);
  const objs = ctx.cluster(to.cluster);
  if (!objs) return;
  const landing = to.kind === 'service' ? serviceLanding(ctx, objs, to) : podsLanding(ctx, objs, to);
  if (!landing) return;
  if (landing.kind === 'pods') {
    const peer = sourcePeer(ctx, f, src);
    if (peer) {
      const dst = landing.pods[0];
      const v = ingressVerdict(objs, { namespace: dst.namespace, labels: dst.labels }, peer, landing.port);
      if (!v.admitted) {
        const shown = f.from.kind === 'pods' && f.transport === 'in-cluster' ? f.from.podLabels : peer.kind === 'pod' ? peer.labels : {};
        const who = peer.kind === 'pod' ? `pods of namespace ${peer.namespace}${Object.keys(shown).length ? ` labelled ${labelText(shown)}` : ''}` : peer.kind === 'cidrs' ? `addresses ${peer.cidrs.join(', ')}` : 'outside addresses';
        for (const p of v.policies) {
          ctx.fail(p, `no ingress rule admits ${who} on port ${landing.port.number}${landing.port.name ? ` (${landing.port.name})` : ''}/${landing.port.protocol}`, `add an ingress rule with that ${peer.kind === 'pod' ? 'namespaceSelector/podSelector' : 'ipBlock'} peer and port`, '/spec/ingress');
        }
      }
    }
    // A load balancer that relays through pods of its own and replaces the source address (k3s's ServiceLB): its
    // connections arrive from those pods too.
    if (f.transport === 'loadBalancer' && f.relay) {
      const dst = landing.pods[0];
      const v = ingressVerdict(objs, { namespace: dst.namespace, labels: dst.labels }, { kind: 'pod', namespace: f.relay.namespace, labels: f.relay.labels }, landing.port);
      if (!v.admitted) {
        for (const p of v.policies) {
          ctx.fail(
            p,
            `the load balancer's connections also arrive from the pods that relay them, pods of namespace ${f.relay.namespace} labelled ${labelText(f.relay.labels)} (k3s's ServiceLB, which replaces the source address), and no ingress rule admits them on port ${landing.port.number}/${landing.port.protocol}`,
            'add an ingress rule with those pods as a namespaceSelector/podSelector peer (the load balancer still admits only the source ranges)',
            '/spec/ingress',
          );
        }
      }
    }
  }
  if (src) {
    const dest: Peer =
      f.transport !== 'in-cluster'
        ? { kind: 'outside' }
        : landing.kind === 'pods'
          ? { kind: 'pod', namespace: landing.pods[0].namespace, labels: landing.pods[0].labels }
          : { kind: 'cidrs', cidrs: landing.cidrs };
    const v = egressVerdict(src.objs, { namespace: src.pod.namespace, labels: src.pod.labels }, dest, landing.port);
    if (!v.admitted) {
      for (const p of v.policies) ctx.fail(p, `no egress rule lets the source pods reach ${describeDest(f)} on port ${landing.port.number}/${landing.port.protocol}`, 'add an egress rule with that peer and port', '/spec/egress');
    }
    checkDnsEgress(ctx, src);
  }
}

/**
 * The cluster DNS servers the gate knows (lib/core/network.ts CLUSTER_DNS_SERVERS: kube-dns's pods on 53, OpenShift's
 * on 5353), as egress peers with their port; a source reaches the cluster DNS when one of them, or any address on its
 * port (a rule without peers, an ipBlock: NodeLocal DNSCache), is admitted.
 */
const CLUSTER_DNS: ReadonlyArray<{ readonly peer: Peer; readonly port: TargetPort }> = Object.values(CLUSTER_DNS_SERVERS).map((d) => ({
  peer: { kind: 'pod', namespace: d.namespace, labels: d.labels },
  port: { number: d.port, name: 'dns', protocol: 'UDP' },
}));

/** The host of a URL, also of one wrapped in a scheme of its own (kube-eventer's `kubernetes:https://kubernetes.default`). */
function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    if (u.hostname !== '') return u.hostname;
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(u.pathname) ? new URL(u.pathname).hostname : undefined;
  } catch {
    return undefined;
  }
}

/** A source whose egress is isolated must still resolve the destination's name: the cluster DNS must be admitted. */
function checkDnsEgress(ctx: FlowContext, src: { objs: ClusterObjects; pod: PodTemplate }): void {
  const host = hostOf(ctx.flow.configured?.url ?? (ctx.flow.to.kind === 'external' ? ctx.flow.to.url : undefined));
  if (host !== undefined && (isIP(host) || isIP(host.replace(/^\[|\]$/g, '')))) return; // an address needs no lookup
  const pod = { namespace: src.pod.namespace, labels: src.pod.labels };
  const verdicts = CLUSTER_DNS.map((d) => egressVerdict(src.objs, pod, d.peer, d.port));
  if (verdicts.some((v) => v.admitted) || CLUSTER_DNS.some((d) => egressVerdict(src.objs, pod, { kind: 'outside' }, d.port).admitted)) return;
  for (const p of verdicts[0].policies) {
    ctx.fail(p, "no egress rule lets the source pods reach the cluster DNS (53/UDP; 5353 on OpenShift), so the destination's name does not resolve", 'add an egress rule to port 53/UDP (and 53/TCP) of the kube-dns pods in kube-system (on OpenShift, 5353 of the DNS pods in openshift-dns)', '/spec/egress');
  }
}

/**
 * Checks the path of an api-server flow to `to` from the source pods `src` (scrape.ts checkApiServer, which checks its
 * RBAC, calls it): the pods get their ServiceAccount's token (without one every call is anonymous and refused), their
 * egress policies admit the API server's endpoints on the ports it serves on (after the `kubernetes` Service's DNAT: a
 * rule to the Service's ClusterIP or port 443 alone does not reach a 6443 apiserver), at its addresses when the stack
 * gives them, and the cluster DNS when the source names the server by a host name.
 */
export function checkApiServerPath(ctx: FlowContext, to: ApiServerDestination, src: { objs: ClusterObjects; pod: PodTemplate }): void {
  checkToken(ctx, src);
  const pod = { namespace: src.pod.namespace, labels: src.pod.labels };
  const cidrs = to.cidrs ?? [];
  const peer: Peer = cidrs.length > 0 ? { kind: 'cidrs', cidrs } : { kind: 'outside' };
  for (const number of to.ports ?? apiServerPorts('generic')) {
    const v = egressVerdict(src.objs, pod, peer, { number, protocol: 'TCP' });
    if (v.admitted) continue;
    for (const p of v.policies) {
      ctx.fail(
        p,
        `no egress rule lets the source pods reach the API server's endpoints${cidrs.length > 0 ? ` (${cidrs.join(', ')})` : ''} on port ${number}/TCP (a NetworkPolicy sees the endpoint after the kubernetes Service's DNAT of 443)`,
        `add an egress rule to port ${number}/TCP with ${cidrs.length > 0 ? 'those addresses as ipBlock peers' : "the API server's addresses as ipBlock peers (clusters[].apiServerCIDRs)"}`,
        '/spec/egress',
      );
    }
  }
  if (ctx.flow.configured) checkDnsEgress(ctx, src);
}

/** The source pods must get a ServiceAccount token: the pod template's automountServiceAccountToken, else its ServiceAccount's. */
function checkToken(ctx: FlowContext, src: { objs: ClusterObjects; pod: PodTemplate }): void {
  type Automount = { automountServiceAccountToken?: boolean };
  const template = (src.pod.entry.object as { spec?: { template?: { spec?: Automount } } }).spec?.template?.spec;
  const onPod = template?.automountServiceAccountToken;
  if (onPod === true) return;
  const why = 'so the API server takes their calls as anonymous and refuses them';
  if (onPod === false) {
    ctx.fail(src.pod.entry, `the pods get no ServiceAccount token (automountServiceAccountToken: false), ${why}`, 'remove automountServiceAccountToken: false from the pod template', '/spec/template/spec/automountServiceAccountToken');
    return;
  }
  const sa = src.objs.find('ServiceAccount', src.pod.serviceAccount, src.pod.namespace);
  if ((sa?.object as Automount | undefined)?.automountServiceAccountToken === false) {
    ctx.fail(sa, `the ServiceAccount sets automountServiceAccountToken: false and the pods of ${src.pod.entry.object.kind}/${src.pod.entry.object.metadata.name} do not set it true, so they get no token, ${why}`, 'remove automountServiceAccountToken: false from the ServiceAccount (or set it true in the pod template)', '/automountServiceAccountToken');
  }
}

/** Checks a flow to a destination outside the stack: only the source's egress policies can block it. */
export function checkExternalPath(ctx: FlowContext): void {
  const to = ctx.flow.to;
  if (to.kind !== 'external') return;
  const src = sourcePods(ctx);
  if (!src) return;
  let url: URL;
  try {
    url = new URL(to.url);
  } catch {
    ctx.fail(undefined, `the destination URL ${JSON.stringify(to.url)} does not parse`, 'declare an absolute URL');
    return;
  }
  const number = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const v = egressVerdict(src.objs, { namespace: src.pod.namespace, labels: src.pod.labels }, { kind: 'outside' }, { number, protocol: 'TCP' });
  if (!v.admitted) for (const p of v.policies) ctx.fail(p, `no egress rule lets the source pods reach ${to.url} (port ${number}/TCP)`, 'add an egress rule with an ipBlock peer for the receiver and that port', '/spec/egress');
  checkDnsEgress(ctx, src);
}

function describeDest(f: Flow): string {
  const to = f.to;
  return to.kind === 'service' ? `Service ${to.namespace}/${to.service}` : to.kind === 'pods' ? `pods ${to.namespace}/${labelText(to.podLabels)}` : to.kind === 'external' ? to.url : 'the API server';
}
