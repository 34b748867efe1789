/** One entry of argocd-cm's `resource.exclusions`: every group × kind × cluster it lists (globs; no clusters = all). */
export interface ResourceExclusion {
  readonly apiGroups: ReadonlyArray<string>;
  readonly kinds: ReadonlyArray<string>;
  readonly clusters?: ReadonlyArray<string>;
}

/**
 * Argo CD's default `resource.exclusions` after its first entry (Endpoints and EndpointSlice), as its install
 * manifests ship them (argo-cd v3.5.1 `manifests/base/config/argocd-cm.yaml`; `docs/operator-manual/upgrading/
 * 2.14-3.0.md`, "Default resource.exclusions configurations"). Argo CD never applies an excluded object:
 * `controller/state.go` CompareAppState drops it from the target with an ExcludedResourceWarning, and the
 * Application still reports Synced.
 */
const DEFAULT_EXCLUSIONS_AFTER_ENDPOINTS: ReadonlyArray<ResourceExclusion> = [
  { apiGroups: ['coordination.k8s.io'], kinds: ['Lease'] },
  {
    apiGroups: ['authentication.k8s.io', 'authorization.k8s.io'],
    kinds: ['SelfSubjectReview', 'TokenReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  },
  { apiGroups: ['certificates.k8s.io'], kinds: ['CertificateSigningRequest'] },
  { apiGroups: ['cert-manager.io'], kinds: ['CertificateRequest'] },
  { apiGroups: ['cilium.io'], kinds: ['CiliumIdentity', 'CiliumEndpoint', 'CiliumEndpointSlice'] },
  {
    apiGroups: ['kyverno.io', 'reports.kyverno.io', 'wgpolicyk8s.io'],
    kinds: ['PolicyReport', 'ClusterPolicyReport', 'EphemeralReport', 'ClusterEphemeralReport', 'AdmissionReport', 'ClusterAdmissionReport', 'BackgroundScanReport', 'ClusterBackgroundScanReport', 'UpdateRequest'],
  },
];

/** Argo CD v3.5.1's default `resource.exclusions` (see above), its first entry included. */
export const ARGOCD_DEFAULT_EXCLUSIONS: ReadonlyArray<ResourceExclusion> = [{ apiGroups: ['', 'discovery.k8s.io'], kinds: ['Endpoints', 'EndpointSlice'] }, ...DEFAULT_EXCLUSIONS_AFTER_ENDPOINTS];

/**
 * Argo CD's default exclusions with EndpointSlice synced everywhere but on `others` (servers of clusters whose
 * folders hold no EndpointSlice: a Service without a selector, of an IoMT thing on a fleet device, has no other
 * endpoints). Endpoints stay excluded everywhere; EndpointSlice stays excluded on `others`, and on none when that
 * list is empty (an entry without clusters would match every cluster).
 */
export function exclusionsSyncingEndpointSlices(others: ReadonlyArray<string>): ResourceExclusion[] {
  return [
    { apiGroups: [''], kinds: ['Endpoints'] },
    ...(others.length > 0 ? [{ apiGroups: ['discovery.k8s.io'], kinds: ['EndpointSlice'], clusters: [...new Set(others)].sort().map(escapeGlob) }] : []),
    ...DEFAULT_EXCLUSIONS_AFTER_ENDPOINTS,
  ];
}

/** Where edgewatt writes its argocd-cm patch of `resource.exclusions`, relative to the bootstrap folder. */
export const RESOURCE_EXCLUSIONS_PATCH_FILE = 'argocd-cm/resource-exclusions.yaml';

/** The argocd-cm key the patch replaces. */
export const RESOURCE_EXCLUSIONS_KEY = 'resource.exclusions';

/**
 * A glob of Argo CD's exclusion rules as a RegExp, in the syntax of github.com/gobwas/glob, which argo-cd v3.5.1
 * `util/glob/glob.go` compiles without separators: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}` and `\` escapes;
 * undefined for a pattern it cannot compile (Argo CD's Match is then false).
 */
function globRegExp(glob: string): RegExp | undefined {
  let i = 0;
  const lit = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const seq = (inBraces: boolean): string | undefined => {
    let out = '';
    while (i < glob.length) {
      const c = glob[i];
      if (inBraces && (c === ',' || c === '}')) return out;
      i++;
      if (c === '\\') {
        if (i >= glob.length) return undefined;
        out += lit(glob[i++]);
      } else if (c === '*') out += '.*';
      else if (c === '?') out += '.';
      else if (c === '[') {
        const end = glob.indexOf(']', i);
        if (end < 0) return undefined;
        let body = glob.slice(i, end);
        i = end + 1;
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        if (body === '') return undefined;
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      } else if (c === '{') {
        const alternatives: string[] = [];
        for (;;) {
          const alt = seq(true);
          if (alt === undefined || i >= glob.length) return undefined;
          alternatives.push(alt);
          if (glob[i++] === '}') break;
        }
        out += `(?:${alternatives.join('|')})`;
      } else out += lit(c);
    }
    return inBraces ? undefined : out;
  };
  const body = seq(false);
  return body === undefined ? undefined : new RegExp(`^${body}$`, 's');
}

function globMatch(glob: string, value: string): boolean {
  return globRegExp(glob)?.test(value) ?? false;
}

/** `value` as a glob that matches only itself (gobwas/glob escapes: `\` before `*?[]{}\`). */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]{}\\]/g, '\\$&');
}

/**
 * Whether `rules` exclude `group`/`kind` on the cluster at `server`, as argo-cd v3.5.1
 * `util/settings/filtered_resource.go` Match: groups and clusters by glob, kinds exact or `*`, an empty list
 * matching everything.
 */
export function isExcluded(rules: ReadonlyArray<ResourceExclusion>, group: string, kind: string, server: string): boolean {
  const any = (list: ReadonlyArray<string> | undefined, match: (x: string) => boolean) => list === undefined || list.length === 0 || list.some(match);
  return rules.some((r) => any(r.apiGroups, (g) => globMatch(g, group)) && any(r.kinds, (k) => k === '*' || k === kind) && any(r.clusters, (c) => globMatch(c, server)));
}
