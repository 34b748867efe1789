/**
 * Argo CD's per-resource sync options, shared by the GitOps layer (lib/gitops/sync.ts, which adds them) and the charts
 * that give them up front to objects the synth keeps (charts/fleet.ts: the registration requests).
 */

/** The per-resource sync options annotation (argo-cd v3.5.1 `docs/user-guide/sync-options.md`). */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * Lets Argo CD skip the dry run of a custom resource whose CRD is not on the cluster yet and is not part of
 * the same Application (another Application installs it): argo-cd v3.5.1 `docs/user-guide/sync-options.md`,
 * "Skip Dry Run for new custom resources types", case 2 — without it the sync fails with `the server could
 * not find the requested resource`. Once the CRD exists the dry run happens as usual.
 */
export const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';
