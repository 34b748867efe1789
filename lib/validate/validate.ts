import { Problem } from '../core/errors';
import { checkPolicyIn } from './policy';
import { ArgoExclusions, checkExcludedObjects } from './argocd-exclusions';
import { checkEdgeWorkloadsIn } from './edge-workloads';
import { checkGitopsIn } from './gitops-check';
import { checkMetricNames } from './metric-names';
import { checkPromql, findExpressionsIn } from './promql';
import { concatLists, perSegment, Segments, segmentsOf } from './segments';
import { checkNames } from './k8s-names';
import { checkSecrets } from './secrets';
import { checkTemplates } from './templates';
import { SchemaCheck, SchemaSources } from './schema-check';
import { Entry, Finding } from './types';
import { checkWiringIn } from './wiring';
import { Flow } from '../core/flows';
import { checkFlows } from './flows/check';
import { entryDigest, ValidationCache, validationCacheKey } from './cache';

/** Options of validate. */
export interface ValidateOptions {
  /**
   * Schemas for the strict schema check: a Kubernetes OpenAPI document and CRDs.
   * @default - the schema check is skipped (policy, wiring and PromQL checks still run)
   */
  readonly schemas?: SchemaSources;
  /**
   * Metric names the exporters of the stack emit; with it, every metric an expression uses must be one of
   * them or a recording rule's. @default - metric names are not checked (validating a tree without its stack)
   */
  readonly metrics?: ReadonlySet<string>;
  /** The folder the entries' files are under, for the Argo CD orphan check. @default dist */
  readonly root?: string;
  /**
   * The stack's flows, proven on the entries by the flow gate (lib/validate/flows).
   * @default - no flow is checked (a tree without its stack and without FLOWS.json)
   */
  readonly flows?: ReadonlyArray<Flow>;
  /**
   * Digests of objects that passed the per-object checks before (see lib/validate/cache.ts); those are not
   * checked again. Open it with the key of the same schemas (validationCacheKey).
   * @default - no cache: every object is checked
   */
  readonly cache?: ValidationCache;
  /**
   * Called once before the first object digest is taken (synthesize waits there for the render worker's digests,
   * so they are not computed twice). @default - nothing
   */
  readonly beforeDigests?: () => void;
  /**
   * Called once the entries the per-object checks will see are known, with their count (all of them without a
   * cache, else those it does not list), before any check runs (synthToDir collects garbage there when they are
   * many, lib/synth/collect.ts). @default - nothing
   */
  readonly beforeChecks?: (fresh: number) => void;
  /**
   * The resource exclusions of the Argo CD that syncs the tree (its bootstrap's argocd-cm patch, or Argo CD's
   * default); with them, no object an Application deploys may be one Argo CD excludes (checkExcludedObjects). A
   * finding instead (a patch that does not read, exclusionsFromPatch) is reported with the others.
   * @default - not checked (a tree without its Argo CD bootstrap)
   */
  readonly argocdExclusions?: ArgoExclusions | Finding;
  /**
   * The entries as consecutive lists (lib/validate/segments.ts: a synth's folders, each frozen and the last synth's
   * list when unchanged); passes that read one list at a time then take an unchanged folder's result from the last
   * synth. They must concatenate to the entries: lists whose lengths or ends do not match them are ignored (segmentsOf).
   * @default - one list, the entries
   */
  readonly segments?: Segments;
}

/** Each set of sources' SchemaCheck, with the content key (validationCacheKey) of the files it was loaded from. */
const schemaChecks = new Map<string, { readonly content: string; readonly check: SchemaCheck }>();

/**
 * One SchemaCheck per set of sources in a process: each schema is loaded and compiled once, and again when one of
 * its files changed (their content, as the validation cache keys it: a process that synthesizes again, `synth
 * --watch` or a library user's loop, never checks with a schema older than the key its verdicts are cached under).
 */
export function schemaCheckFor(sources: SchemaSources): SchemaCheck {
  const key = JSON.stringify([sources.k8sOpenApi, sources.crds ?? []]);
  const content = validationCacheKey(sources);
  const kept = schemaChecks.get(key);
  // Sources that are not regular files get a key of their own each time, under which nothing is cached: kept as before.
  if (kept && (kept.content === content || content.startsWith('uncachable '))) return kept.check;
  const check = new SchemaCheck(sources);
  schemaChecks.set(key, { content, check });
  return check;
}

/**
 * Runs every check over the entries; findings sorted by file, then pointer. With a cache, the per-object checks
 * (schema, secrets, names, templates, PromQL syntax) skip the entries it lists as passed, and the cache is given
 * the digests of every entry that passes them now; the cross-object checks always see every entry.
 */
export function validateEntries(entries: ReadonlyArray<Entry>, options: ValidateOptions = {}): Finding[] {
  const segments = segmentsOf(entries, options.segments);
  const found = findExpressionsIn(segments);
  const cache = options.cache;
  // Digests are taken first only when the cache can skip something; for an empty cache (a first synth) they are
  // needed only to record the passes, at the end, so whoever computes them (the render worker) has until then.
  const filter = cache !== undefined && cache.size > 0;
  if (filter) options.beforeDigests?.();
  const fresh = filter ? freshEntries(segments, cache) : entries;
  const freshSet = filter ? new Set(fresh) : undefined;
  options.beforeChecks?.(fresh.length);
  const perObject = [
    ...(options.schemas ? schemaCheckFor(options.schemas).check(fresh) : []),
    ...checkSecrets(fresh),
    ...checkNames(fresh),
    ...checkTemplates(fresh),
    ...checkPromql(fresh, freshSet ? found.filter((f) => freshSet.has(f.entry)) : found),
  ];
  const findings = [
    ...perObject,
    ...checkPolicyIn(segments),
    ...checkWiringIn(segments),
    ...checkEdgeWorkloadsIn(segments),
    ...(options.metrics ? checkMetricNames(entries, options.metrics, found, segments) : []),
    ...checkGitopsIn(segments, options.root ?? 'dist'),
    ...exclusionFindings(entries, options.root ?? 'dist', options.argocdExclusions, segments),
    ...(options.flows ? checkFlows(options.flows, entries, options.root ?? 'dist', cache?.flows, segments) : []),
  ];
  if (cache) {
    if (!filter) options.beforeDigests?.();
    const all = concatLists(segments.map(digestsOf));
    const failed = new Set(perObject.map((f) => f.file));
    // Nothing failed (the usual case): every digest is recorded, and no entry is read again to find out. The new ones
    // are among those of the entries checked afresh that passed (not given with an empty cache, where every entry was:
    // the cache then looks every digest up).
    const passedFresh = filter ? fresh.filter((e) => !failed.has(e.file)).map(entryDigest) : undefined;
    cache.record(failed.size === 0 ? all : all.filter((_, i) => !failed.has(entries[i].file)), passedFresh);
  }
  return findings.sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.pointer !== b.pointer ? (a.pointer < b.pointer ? -1 : 1) : a.message < b.message ? -1 : a.message > b.message ? 1 : 0,
  );
}

/** Each entry's digest (entryDigest), in order, kept with a synth's unchanged folder. */
const digestsOf = perSegment((list): ReadonlyArray<string> => Object.freeze(list.map(entryDigest)));

/** The lists that the cache of each token (ValidationCache.token) was found to hold every digest of. */
const passedUnder = perSegment((): WeakSet<object> => new WeakSet());

/** The entries whose digests the cache does not list, in order; a list found all passed under the cache's token is not looked up again. */
function freshEntries(segments: Segments, cache: ValidationCache): Entry[] {
  const out: Entry[] = [];
  for (const list of segments) {
    const token = cache.token;
    if (token !== undefined && passedUnder(list).has(token)) continue;
    const digests = digestsOf(list);
    const before = out.length;
    for (let i = 0; i < list.length; i++) if (!cache.has(digests[i])) out.push(list[i]);
    if (token !== undefined && out.length === before) passedUnder(list).add(token);
  }
  return out;
}

/** checkExcludedObjects with the exclusions given, or the finding given instead of them. */
function exclusionFindings(entries: ReadonlyArray<Entry>, root: string, exclusions: ArgoExclusions | Finding | undefined, segments: Segments): Finding[] {
  if (exclusions === undefined) return [];
  return 'rules' in exclusions ? checkExcludedObjects(entries, root, exclusions, segments) : [exclusions];
}

/** Findings as problems: `file: /pointer: message`. */
export function findingsToProblems(findings: ReadonlyArray<Finding>): Problem[] {
  return findings.map((f) => ({ path: f.pointer ? `${f.file}: ${f.pointer}` : f.file, message: f.message }));
}
