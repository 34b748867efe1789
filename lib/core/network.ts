import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * A NetworkPolicy peer: every pod of the named namespace (by the label Kubernetes sets on each namespace). Only for
 * sources whose pods edgewatt cannot name (an ingress controller, an existing install's Grafana); a source the stack
 * runs is admitted by its pods' labels (podsPeer).
 */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/**
 * The ports a platform's API server serves on, as a pod's egress NetworkPolicy sees them: policies apply after the
 * `kubernetes` Service's DNAT of 443 to the endpoints (kubeadm's, k3s's and OpenShift's apiserver listen on 6443;
 * managed clusters on 443 or 6443, so a generic cluster needs both).
 */
export function apiServerPorts(platform: 'k3s' | 'kubeadm' | 'openshift' | 'generic'): number[] {
  return platform === 'generic' ? [443, 6443] : [6443];
}

/**
 * The cluster DNS as an egress rule of a pod that resolves names: the DNS pods and the ports they serve on (after the
 * DNS Service's DNAT). CoreDNS in kube-system labelled `k8s-app: kube-dns`, on 53 (kubernetes/kubernetes
 * cluster/addons/dns/coredns/coredns.yaml.base; k3s and the managed clusters keep the label); on OpenShift, the DNS
 * operator's daemon set in openshift-dns, labelled `dns.operator.openshift.io/daemonset-dns: default`, serving on
 * 5353 (ports `dns`/`dns-tcp`; openshift/cluster-dns-operator assets/dns/daemonset.yaml, service.yaml).
 */
export function clusterDnsEgress(platform: 'k3s' | 'kubeadm' | 'openshift' | 'generic'): k8s.NetworkPolicyEgressRule {
  const [peer, port] = platform === 'openshift' ? [podsPeer('openshift-dns', { 'dns.operator.openshift.io/daemonset-dns': 'default' }), 5353] : [podsPeer('kube-system', { 'k8s-app': 'kube-dns' }), 53];
  return { to: [peer], ports: ['UDP', 'TCP'].map((protocol) => ({ port: k8s.IntOrString.fromNumber(port), protocol })) };
}

/** A NetworkPolicy peer: the pods labelled `labels` in the named namespace, and no other pod of it. */
export function podsPeer(namespace: string, labels: Readonly<Record<string, string>>): k8s.NetworkPolicyPeer {
  return { ...namespacePeer(namespace), podSelector: { matchLabels: { ...labels } } };
}
