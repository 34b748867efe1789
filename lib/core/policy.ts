import { ApiObject } from 'cdk8s';

/** Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * Security rules the policy check applies to every workload (modelled on Pod Security Standards
 * "restricted", kube-linter and Polaris), with the Pod Security level a namespace must enforce at most
 * for an exception to the rule to be allowed there.
 */
export const POLICY_RULES = {
  'privileged': 'privileged',
  'host-pid': 'privileged',
  'host-ipc': 'privileged',
  'host-network': 'privileged',
  'host-path': 'privileged',
  'host-port': 'privileged',
  'capabilities-add': 'privileged',
  'unsafe-sysctls': 'privileged',
  'run-as-non-root': 'baseline',
  'allow-privilege-escalation': 'baseline',
  'capabilities-drop-all': 'baseline',
  'seccomp-runtime-default': 'baseline',
  'read-only-root-filesystem': 'restricted',
  'resources': 'restricted',
  'probes': 'restricted',
  'image-tag': 'restricted',
} as const satisfies Record<string, PodSecurityLevel>;

/** The id of a policy rule. */
export type PolicyRule = keyof typeof POLICY_RULES;

/** Annotation listing the rules a workload is excepted from (comma-separated rule ids). */
export const EXCEPTION_RULES_ANNOTATION = 'edgewatt.io/policy-exceptions';
/** Annotation giving the reason for the exception; required. */
export const EXCEPTION_REASON_ANNOTATION = 'edgewatt.io/policy-exception-reason';
/** Annotation naming objects a workload uses that are created outside Git, e.g. `Secret/grafana-admin`. */
export const EXTERNAL_REFS_ANNOTATION = 'edgewatt.io/external-refs';

/** A declared exception: which rules, and why. */
export interface PolicyException {
  readonly rules: ReadonlyArray<PolicyRule>;
  readonly reason: string;
}

/**
 * Declares, next to the construct that needs it, that a workload is excepted from some policy rules. The
 * declaration travels in the output as annotations, so `edgewatt validate` and reviewers see it; the policy
 * check still requires the namespace to enforce a Pod Security level that allows each rule.
 */
export function declarePolicyException(workload: ApiObject, exception: PolicyException): void {
  if (exception.rules.length === 0 || exception.reason.trim() === '') {
    throw new Error(`policy exception on ${workload.kind} "${workload.name}": name at least one rule and give a reason`);
  }
  workload.metadata.addAnnotation(EXCEPTION_RULES_ANNOTATION, [...exception.rules].sort().join(','));
  workload.metadata.addAnnotation(EXCEPTION_REASON_ANNOTATION, exception.reason);
}

/**
 * Annotation on an object whose namespace is created by an upstream Application of the stack (not by a
 * Namespace object in the tree); the value names that Application. The namespace check accepts it.
 */
export const NAMESPACE_FROM_ANNOTATION = 'edgewatt.io/namespace-from';

/**
 * Annotation on a NetworkPolicy that admits some namespaces whole on purpose (`<ns>,<ns>`): their pods are not the
 * stack's, so it cannot name them (an existing Grafana, dashboards.mode sidecar). The flow gate's breadth check
 * (lib/validate/flows/breadth.ts) accepts a namespace-wide peer of a listed namespace; the reason is beside it.
 */
export const NAMESPACE_PEERS_ANNOTATION = 'edgewatt.io/namespace-peers';
/** Why the namespaces of NAMESPACE_PEERS_ANNOTATION are admitted whole. */
export const NAMESPACE_PEERS_REASON_ANNOTATION = 'edgewatt.io/namespace-peers-reason';

/** Declares that a NetworkPolicy admits `namespaces` whole, and why. */
export function declareNamespacePeers(policy: ApiObject, namespaces: ReadonlyArray<string>, reason: string): void {
  policy.metadata.addAnnotation(NAMESPACE_PEERS_ANNOTATION, [...new Set(namespaces)].sort().join(','));
  policy.metadata.addAnnotation(NAMESPACE_PEERS_REASON_ANNOTATION, reason);
}

/**
 * The ports (`<port>/<protocol>`, comma-separated) on which a NetworkPolicy's egress may go to every address, because the
 * destination's addresses are not known to the stack; with the reason in OPEN_EGRESS_REASON_ANNOTATION. The flow gate
 * reports an egress rule without peers on any other port.
 */
export const OPEN_EGRESS_PORTS_ANNOTATION = 'edgewatt.io/open-egress-ports';
export const OPEN_EGRESS_REASON_ANNOTATION = 'edgewatt.io/open-egress-reason';

/** Declares the ports on which a NetworkPolicy's egress admits every address, and why (OPEN_EGRESS_PORTS_ANNOTATION). */
export function declareOpenEgress(policy: ApiObject, ports: ReadonlyArray<{ port: number; protocol: string }>, reason: string): void {
  policy.metadata.addAnnotation(OPEN_EGRESS_PORTS_ANNOTATION, ports.map((p) => `${p.port}/${p.protocol}`).join(','));
  policy.metadata.addAnnotation(OPEN_EGRESS_REASON_ANNOTATION, reason);
}

/** Declares that a workload refers to objects created outside Git (`Kind/name`, in its own namespace). */
export function declareExternalRefs(workload: ApiObject, refs: ReadonlyArray<string>): void {
  workload.metadata.addAnnotation(EXTERNAL_REFS_ANNOTATION, [...new Set(refs)].sort().join(','));
}

const LEVEL_ORDER: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };

/** True when a namespace enforcing `level` admits pods that break a rule needing `needed`. */
export function levelAllows(level: PodSecurityLevel, needed: PodSecurityLevel): boolean {
  return LEVEL_ORDER[level] >= LEVEL_ORDER[needed];
}
