import { kindIndex, Segments } from './segments';
import { parse } from 'yaml';
import { ARGOCD_DEFAULT_EXCLUSIONS, isExcluded, RESOURCE_EXCLUSIONS_KEY, RESOURCE_EXCLUSIONS_PATCH_FILE, ResourceExclusion } from '../core/argocd-exclusions';
import { apiGroupOf } from '../core/kube-object';
import { Json } from './pods';
import { Entry, Finding } from './types';

/** The resource exclusions Argo CD works with, and where they come from (for messages). */
export interface ArgoExclusions {
  readonly rules: ReadonlyArray<ResourceExclusion>;
  /** Where the rules come from: the patch file, or Argo CD's default. */
  readonly source: string;
  /** What to do about an excluded object. */
  readonly fix: string;
  /**
   * The server of each cluster folder, for trees whose folders have no Applications (applicationset mode: the
   * ApplicationSet names each cluster, registered in Argo CD under that name at this server). @default - from the folders' Applications
   */
  readonly servers?: ReadonlyMap<string, string>;
}

/** The fix when the exclusions are Argo CD's default: the bootstrap's patch, written by synth. */
function mergePatchFix(bootstrapDir: string): string {
  return `merge ${bootstrapDir}/${RESOURCE_EXCLUSIONS_PATCH_FILE}, which edgewatt synth writes, into argocd-cm, or drop that exclusion from yours`;
}

/** Argo CD's own default, when the bootstrap (in `bootstrapDir`) carries no patch of `resource.exclusions`. */
export function defaultArgoExclusions(bootstrapDir = 'argocd'): ArgoExclusions {
  return { rules: ARGOCD_DEFAULT_EXCLUSIONS, source: "Argo CD v3.5.1's default resource.exclusions (the argocd-cm its install manifests ship)", fix: mergePatchFix(bootstrapDir) };
}

/** Argo CD's own default, with the bootstrap in `argocd/`. */
export const DEFAULT_ARGO_EXCLUSIONS: ArgoExclusions = defaultArgoExclusions();

/**
 * The exclusions of an argocd-cm merge patch (`data["resource.exclusions"]`, a YAML list in a string), or a
 * finding when the file is not one.
 */
export function exclusionsFromPatch(text: string, file: string): ArgoExclusions | Finding {
  let rules: unknown;
  try {
    const value = (parse(text) as Json)?.data?.[RESOURCE_EXCLUSIONS_KEY];
    rules = typeof value === 'string' ? parse(value) : undefined;
  } catch {
    rules = undefined;
  }
  const valid =
    Array.isArray(rules) &&
    rules.every((r: Json) => r && typeof r === 'object' && ['apiGroups', 'kinds', 'clusters'].every((k) => r[k] === undefined || (Array.isArray(r[k]) && r[k].every((x: unknown) => typeof x === 'string'))));
  if (!valid) return { file, pointer: `/data/${RESOURCE_EXCLUSIONS_KEY}`, message: 'is not a list of resource exclusions (apiGroups, kinds, clusters: lists of strings): regenerate it with edgewatt synth' };
  return { rules: rules as ResourceExclusion[], source: `the resource.exclusions of ${file}`, fix: `regenerate ${file} with edgewatt synth, and merge it into argocd-cm` };
}

/**
 * Every object of a folder that an Application of the tree deploys must be one Argo CD applies: one its
 * `resource.exclusions` match on that Application's cluster is dropped from the sync (argo-cd v3.5.1
 * `controller/state.go` CompareAppState, an ExcludedResourceWarning) while the Application reports Synced. Argo CD
 * v3's default excludes EndpointSlice, the only endpoints of a Service without a selector (an IoMT thing on a
 * fleet device). Applies to trees whose folders have Applications (`<root>/<cluster>/argocd/`). `segments`: the entries
 * as consecutive lists (lib/validate/segments.ts), each read by its kinds; @default one list, the entries.
 */
export function checkExcludedObjects(entries: ReadonlyArray<Entry>, root: string, exclusions: ArgoExclusions, segments: Segments = [entries]): Finding[] {
  // `<cluster>/<folder>` → the server its Application deploys to.
  const servers = new Map<string, string>();
  for (const list of segments) for (const i of kindIndex(list).get('Application') ?? []) {
    const e = list[i];
    if (!e.file.startsWith(`${root}/`) || !/\/argocd\/[^/]+$/.test(e.file)) continue;
    const spec = (e.object as Json).spec ?? {};
    const key = /([^/]+\/[^/]+)$/.exec(String(spec.source?.path ?? ''))?.[1];
    if (key && typeof spec.destination?.server === 'string') servers.set(key, spec.destination.server);
  }
  // No folder Applications: the clusters' servers, when known (applicationset mode), cover every folder of a cluster.
  const byCluster = servers.size === 0 ? exclusions.servers : undefined;
  if (servers.size === 0 && !byCluster) return [];
  const out: Finding[] = [];
  const verdicts = new Map<string, boolean>();
  // Only kinds a rule names can be excluded (unless a rule names every kind): the rest are passed over unread.
  const kinds = new Set(exclusions.rules.flatMap((r) => r.kinds));
  const anyKind = exclusions.rules.some((r) => r.kinds.length === 0 || r.kinds.includes('*'));
  for (const e of candidates(segments, anyKind ? undefined : kinds)) {
    const rel = e.file.slice(root.length + 1).split('/');
    const server = rel.length !== 3 ? undefined : byCluster ? byCluster.get(rel[0]) : servers.get(`${rel[0]}/${rel[1]}`);
    if (server === undefined) continue;
    const group = apiGroupOf(String(e.object.apiVersion));
    const k = `${group}/${e.object.kind}@${server}`;
    let excluded = verdicts.get(k);
    if (excluded === undefined) verdicts.set(k, (excluded = isExcluded(exclusions.rules, group, e.object.kind, server)));
    if (!excluded) continue;
    const service = e.object.kind === 'EndpointSlice' ? e.object.metadata.labels?.['kubernetes.io/service-name'] : undefined;
    out.push({
      file: e.file,
      pointer: '',
      message:
        `${exclusions.source} exclude ${group || 'core'}/${e.object.kind} on ${server}: Argo CD never applies this object, and its Application still reports Synced` +
        (service ? ` (Service ${service} gets no endpoints)` : '') +
        `; fix: ${exclusions.fix}`,
    });
  }
  return out;
}

/** The entries of the lists whose kind is one of `kinds` (any kind: undefined), in order; a list is read by its kinds (kindIndex). */
function* candidates(segments: Segments, kinds: ReadonlySet<string> | undefined): Generator<Entry> {
  for (const list of segments) {
    if (kinds === undefined) {
      yield* list;
      continue;
    }
    const found: Array<ReadonlyArray<number>> = [];
    for (const [kind, at] of kindIndex(list)) if (typeof kind === 'string' && kinds.has(kind)) found.push(at);
    const at = found.length === 1 ? found[0] : found.flat().sort((a, b) => a - b);
    for (const i of at) yield list[i];
  }
}
