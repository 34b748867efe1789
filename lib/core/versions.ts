/**
 * Every image and upstream version edgewatt deploys, in one place. Nothing uses `:latest`. Each entry
 * names the upstream release its manifests and facts were read from.
 */
export const VERSIONS = {
  /** Kepler 0.7 line (eBPF, estimator, model server): upstream tag v0.7.12, image tag release-0.7.12. */
  keplerClassic: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'release-0.7.12', upstream: 'v0.7.12' },
  /** Kepler 0.10+ rewrite (RAPL and /proc): upstream tag v0.11.4. */
  keplerCurrent: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'v0.11.4', upstream: 'v0.11.4' },
  /** Kepler model server, as pinned by Kepler v0.7.12's own manifests. */
  keplerModelServer: { image: 'quay.io/sustainable_computing_io/kepler_model_server', tag: 'v0.7.11-2', upstream: 'v0.7.11-2' },
} as const;

/** A pinned image reference. */
export function imageRef(v: { readonly image: string; readonly tag: string }): string {
  return `${v.image}:${v.tag}`;
}
