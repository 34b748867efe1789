import { KubeObject, Manifest } from '../synth/kube-object';
import { deepFreeze } from '../core/freeze';
import { SKIP_DRY_RUN, SYNC_OPTIONS_ANNOTATION } from '../core/argocd-sync';

/** Finalizer that makes deleting an Application delete what it deployed. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** The annotation that orders an Application in its parent's sync (Argo CD sync waves). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Argo CD's sync-options annotation and SkipDryRunOnMissingResource (lib/core/argocd-sync.ts). */
export { SKIP_DRY_RUN, SYNC_OPTIONS_ANNOTATION } from '../core/argocd-sync';

/**
 * Retry of every edgewatt Application's sync: 10 attempts, 10 s doubling to at most 3 min, about 20 min in
 * all (10+20+40+80+160 s, then 5 × 180 s). Sized for operator start-up: a custom resource fails until its
 * CRD is established and its operator's webhook serves. The slowest start-ups the stack waits on are the
 * Flotta edge API (startupProbe 30 × 10 s = 300 s, flotta-operator v0.2.0 `config/edge-api/server.yaml`) and
 * cert-manager's post-install API check (`startupapicheck.timeout` 1m × (`backoffLimit` 4 + 1) = 300 s,
 * cert-manager v1.21.1 `deploy/charts/cert-manager/values.yaml`) — 600 s back to back, leaving half the
 * budget for image pulls over an edge uplink. The 3 min cap keeps a failing sync retried often enough that
 * a fix lands within minutes. The previous 5 attempts (310 s) did not cover one of them plus an image pull.
 */
export const SYNC_RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } } as const;

/** Seconds a sync keeps retrying with SYNC_RETRY before giving up (the sum of its backoff waits). */
export function retryBudgetSeconds(retry: { limit: number; backoff: { duration: string; factor: number; maxDuration: string } } = SYNC_RETRY): number {
  const secs = (d: string): number => {
    const m = /^(\d+)(s|m|h)$/.exec(d);
    if (!m) throw new Error(`unsupported duration ${d}`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  };
  let total = 0;
  for (let i = 0; i < retry.limit; i++) total += Math.min(secs(retry.backoff.duration) * retry.backoff.factor ** i, secs(retry.backoff.maxDuration));
  return total;
}

/** The sync policy of an edgewatt Application: automated with prune and self-heal, retried with SYNC_RETRY. */
export function syncPolicy(options: { serverSideApply: boolean; createNamespace?: boolean; managedNamespaceLabels?: Record<string, string> }): Record<string, unknown> {
  const syncOptions = [...(options.serverSideApply ? ['ServerSideApply=true'] : []), ...(options.createNamespace ? ['CreateNamespace=true'] : [])];
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions,
    ...(options.createNamespace && options.managedNamespaceLabels ? { managedNamespaceMetadata: { labels: options.managedNamespaceLabels } } : {}),
    retry: { limit: SYNC_RETRY.limit, backoff: { ...SYNC_RETRY.backoff } },
  };
}

/**
 * API groups whose CRDs no edgewatt folder carries: an upstream Application of the stack (or, for
 * ServiceExport, the cluster's Multi-Cluster Services implementation) installs them, possibly in the same
 * sync as the custom resources edgewatt emits.
 * - management.project-flotta.io: the Flotta operator Application (flotta-operator v0.2.0 `config/crd`).
 * - cert-manager.io, acme.cert-manager.io: the cert-manager Application (chart `crds.enabled: true`).
 * - monitoring.coreos.com: the Prometheus Operator CRDs (operator mode).
 * - multicluster.x-k8s.io: ServiceExport/ServiceImport (mcs-api v0.5.0), from the MCS implementation.
 */
export const EXTERNAL_CRD_GROUPS: ReadonlySet<string> = new Set([
  'management.project-flotta.io',
  'cert-manager.io',
  'acme.cert-manager.io',
  'monitoring.coreos.com',
  'multicluster.x-k8s.io',
]);

/** The API group of an object (`''` for the core group). */
export function apiGroup(o: KubeObject): string {
  const slash = o.apiVersion.indexOf('/');
  return slash < 0 ? '' : o.apiVersion.slice(0, slash);
}

/** An object with `option` added to its sync-options annotation (kept once; other options kept). */
export function withSyncOption(o: KubeObject, option: string): KubeObject {
  const current = o.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION];
  const options = current ? current.split(',').map((x) => x.trim()).filter((x) => x !== '') : [];
  if (options.includes(option)) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [SYNC_OPTIONS_ANNOTATION]: [...options, option].join(',') } } };
}

/**
 * Every custom resource of an EXTERNAL_CRD_GROUPS group gets SkipDryRunOnMissingResource, so Argo CD does
 * not fail a sync's dry run because the CRD arrives in that same sync (or its Application's wave has not
 * finished). Applied before sharding, so shard sizes include the annotation.
 */
export function skipDryRunForExternalCrds(manifests: ReadonlyArray<Manifest>): Manifest[] {
  return manifests.map((m) => ({ ...m, objects: m.objects.map((o) => (EXTERNAL_CRD_GROUPS.has(apiGroup(o)) ? skippingDryRun(o) : o)) }));
}

/** The SkipDryRunOnMissingResource copy of each frozen object, made once (a frozen object cannot change). */
const skipping = new WeakMap<KubeObject, KubeObject>();

/**
 * `o` with SkipDryRunOnMissingResource. A frozen object (deepFreeze: a chart kept for the next synth, a device's
 * registration request) gets the same frozen copy every time, so the next synth does not copy, size or digest it
 * again.
 */
function skippingDryRun(o: KubeObject): KubeObject {
  // Given up front (the fleet chart's registration requests): the object itself, without a copy or a lookup.
  if (o.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION] === SKIP_DRY_RUN) return o;
  if (!Object.isFrozen(o)) return withSyncOption(o, SKIP_DRY_RUN);
  let copy = skipping.get(o);
  if (copy === undefined) skipping.set(o, (copy = deepFreeze(withSyncOption(o, SKIP_DRY_RUN))));
  return copy;
}
