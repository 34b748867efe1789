import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * A NetworkPolicy peer: every pod of the named namespace (by the label Kubernetes sets on each namespace). Only for
 * sources whose pods edgewatt cannot name (an ingress controller, an existing install's Grafana); a source the stack
 * runs is admitted by its pods' labels (podsPeer).
 */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** A NetworkPolicy peer: the pods labelled `labels` in the named namespace, and no other pod of it. */
export function podsPeer(namespace: string, labels: Readonly<Record<string, string>>): k8s.NetworkPolicyPeer {
  return { ...namespacePeer(namespace), podSelector: { matchLabels: { ...labels } } };
}
