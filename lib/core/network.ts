import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * A NetworkPolicy peer: every pod of the named namespace (by the label Kubernetes sets on each namespace). Only for
 * sources whose pods edgewatt cannot name (an ingress controller, an existing install's Grafana); a source the stack
 * runs is admitted by its pods' labels (podsPeer).
 */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** The Kubernetes distributions that change what edgewatt generates (the stack's clusters[].platform). */
export type Platform = 'k3s' | 'kubeadm' | 'openshift' | 'generic';

/**
 * The ports a platform's API server serves on, as a pod's egress NetworkPolicy sees them: policies apply after the
 * `kubernetes` Service's DNAT of 443 to the endpoints (kubeadm's, k3s's and OpenShift's apiserver listen on 6443;
 * managed clusters on 443 or 6443, so a generic cluster needs both).
 */
export function apiServerPorts(platform: Platform): number[] {
  return platform === 'generic' ? [443, 6443] : [6443];
}

/** A cluster DNS server as its pods and the port they serve on (after the DNS Service's DNAT). */
export interface DnsServer {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly port: number;
}

/**
 * The cluster DNS servers edgewatt knows: CoreDNS in kube-system labelled `k8s-app: kube-dns`, on 53
 * (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base; k3s and the managed clusters keep the label),
 * and on OpenShift the DNS operator's daemon set in openshift-dns, labelled `dns.operator.openshift.io/daemonset-dns:
 * default`, on 5353 (ports `dns`/`dns-tcp`; openshift/cluster-dns-operator assets/dns/daemonset.yaml, service.yaml).
 */
export const CLUSTER_DNS_SERVERS: Readonly<Record<'kube-dns' | 'openshift', DnsServer>> = {
  'kube-dns': { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, port: 53 },
  openshift: { namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, port: 5353 },
};

/**
 * The cluster DNS as an egress rule of a pod that resolves names: the platform's DNS pods (CLUSTER_DNS_SERVERS) on their
 * port, and `dnsCIDRs` on 53 (clusters[].dnsCIDRs: a DNS that is not reached at its pods, NodeLocal DNSCache's
 * host-network 169.254.20.10 and the kube-dns Service address it answers on). @default dnsCIDRs - none
 */
export function clusterDnsEgress(platform: Platform, dnsCIDRs: ReadonlyArray<string> = []): k8s.NetworkPolicyEgressRule {
  const dns = CLUSTER_DNS_SERVERS[platform === 'openshift' ? 'openshift' : 'kube-dns'];
  const ports = [...new Set([dns.port, ...(dnsCIDRs.length > 0 ? [53] : [])])];
  return {
    to: [podsPeer(dns.namespace, dns.labels), ...dnsCIDRs.map((cidr) => ({ ipBlock: { cidr } }))],
    ports: ports.flatMap((port) => ['UDP', 'TCP'].map((protocol) => ({ port: k8s.IntOrString.fromNumber(port), protocol }))),
  };
}

/** A NetworkPolicy peer: the pods labelled `labels` in the named namespace, and no other pod of it. */
export function podsPeer(namespace: string, labels: Readonly<Record<string, string>>): k8s.NetworkPolicyPeer {
  return { ...namespacePeer(namespace), podSelector: { matchLabels: { ...labels } } };
}
