import { ClusterObjects } from './objects';

/**
 * RBAC, evaluated the way the API server's RBAC authorizer does (kubernetes/kubernetes plugin/pkg/auth/
 * authorizer/rbac/rbac.go and pkg/apis/rbac/v1/evaluation_helpers.go at v1.35.0): a ServiceAccount may do a
 * verb on a resource in a namespace when a RoleBinding in that namespace (to a Role there or a ClusterRole) or a
 * ClusterRoleBinding binds it, directly or through the groups `system:serviceaccounts` /
 * `system:serviceaccounts:<ns>`, to a rule whose apiGroups, resources and verbs cover the request (`*` covers
 * all). Cluster-wide requests (no namespace) and nonResourceURLs are granted by ClusterRoleBindings only; a
 * nonResourceURL rule matches the path exactly or by a trailing `*` prefix.
 */

interface PolicyRule {
  readonly apiGroups?: ReadonlyArray<string>;
  readonly resources?: ReadonlyArray<string>;
  readonly verbs?: ReadonlyArray<string>;
  readonly resourceNames?: ReadonlyArray<string>;
  readonly nonResourceURLs?: ReadonlyArray<string>;
}

interface Binding {
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly namespace?: string }>;
}

/** A request of a ServiceAccount. */
export type AccessRequest =
  | { readonly verb: string; readonly resource: string; readonly group?: string; readonly namespace?: string }
  | { readonly verb: string; readonly nonResourceURL: string };

function bindsServiceAccount(b: Binding, bindingNamespace: string | undefined, sa: { namespace: string; name: string }): boolean {
  return (b.subjects ?? []).some(
    (s) =>
      (s.kind === 'ServiceAccount' && s.name === sa.name && (s.namespace ?? bindingNamespace) === sa.namespace) ||
      (s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${sa.namespace}`)),
  );
}

const covers = (list: ReadonlyArray<string> | undefined, want: string): boolean => (list ?? []).some((x) => x === '*' || x === want);

function ruleAllows(r: PolicyRule, req: AccessRequest): boolean {
  if (!covers(r.verbs, req.verb)) return false;
  if ('nonResourceURL' in req) return (r.nonResourceURLs ?? []).some((u) => u === req.nonResourceURL || u === '*' || (u.endsWith('*') && req.nonResourceURL.startsWith(u.slice(0, -1))));
  // A rule limited to resourceNames does not grant list/watch of a collection.
  if ((r.resourceNames ?? []).length > 0) return false;
  return covers(r.apiGroups, req.group ?? '') && covers(r.resources, req.resource);
}

function rulesOf(objs: ClusterObjects, ref: Binding['roleRef'], namespace: string | undefined): { rules: ReadonlyArray<PolicyRule> } {
  if (!ref) return { rules: [] };
  const entry = ref.kind === 'ClusterRole' ? objs.find('ClusterRole', ref.name) : objs.find('Role', ref.name, namespace);
  return { rules: ((entry?.object as { rules?: PolicyRule[] } | undefined)?.rules ?? []) as PolicyRule[] };
}

/** Whether the ServiceAccount `sa` may make `req` in the cluster `objs`. */
export function allowed(objs: ClusterObjects, sa: { namespace: string; name: string }, req: AccessRequest): boolean {
  const namespace = 'nonResourceURL' in req ? undefined : req.namespace;
  for (const e of objs.kind('ClusterRoleBinding')) {
    const b = e.object as unknown as Binding;
    if (bindsServiceAccount(b, undefined, sa) && b.roleRef?.kind === 'ClusterRole' && rulesOf(objs, b.roleRef, undefined).rules.some((r) => ruleAllows(r, req))) return true;
  }
  if (namespace === undefined) return false;
  for (const e of objs.kind('RoleBinding')) {
    if ((e.object.metadata.namespace ?? 'default') !== namespace) continue;
    const b = e.object as unknown as Binding;
    if (bindsServiceAccount(b, namespace, sa) && rulesOf(objs, b.roleRef, namespace).rules.some((r) => ruleAllows(r, req))) return true;
  }
  return false;
}

/** A request, readable: `list pods in kepler`, `get /metrics`. */
export function describeRequest(req: AccessRequest): string {
  if ('nonResourceURL' in req) return `${req.verb} ${req.nonResourceURL}`;
  return `${req.verb} ${req.resource}${req.group ? `.${req.group}` : ''}${req.namespace ? ` in namespace ${req.namespace}` : ' cluster-wide'}`;
}
