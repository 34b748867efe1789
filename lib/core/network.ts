import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/** A NetworkPolicy peer: every pod of the named namespace (by the label Kubernetes sets on each namespace). */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}
