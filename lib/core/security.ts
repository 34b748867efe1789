import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/** The user and group edgewatt's own workloads run as when the image does not say otherwise. */
export const NON_ROOT_UID = 65532;

/** A pod security context that meets Pod Security "restricted". */
export function restrictedPodSecurityContext(uid = NON_ROOT_UID): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/** A container security context that meets Pod Security "restricted", with a read-only root filesystem. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}

/** Container resources from plain quantities. */
export function resources(r: {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}): k8s.ResourceRequirements {
  const q = (m?: { readonly cpu?: string; readonly memory?: string }) =>
    m && (m.cpu || m.memory)
      ? Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined).map(([k, v]) => [k, k8s.Quantity.fromString(v as string)]))
      : undefined;
  return { requests: q(r.requests), limits: q(r.limits) };
}

/** Merges user resources over defaults, field by field. */
export function mergeResources<T extends { requests?: object; limits?: object }>(defaults: T, user?: Partial<T>): T {
  return {
    ...defaults,
    requests: { ...defaults.requests, ...(user?.requests ?? {}) },
    limits: { ...defaults.limits, ...(user?.limits ?? {}) },
  };
}
