import * as path from 'path';
import { Problem, SpecError, ValidationError } from '../core/errors';
import { StackModel } from '../model';
import { parseStackRecalling } from '../spec/parse';
import { StackInput } from '../spec/stack';
import { KubeObject, Manifest } from './kube-object';
import { measureObject } from '../core/object-digest';
import { gitopsObjects } from '../gitops/synth';
import { skipDryRunForExternalCrds } from '../gitops/sync';
import { documents } from './documents';
import { stackFlows } from './flows';
import { FLOWS_FILE, flowsJson } from '../validate/flows/flows-file';
import { flowsReadme } from '../validate/flows/diagram';
import { synthesizeManifests } from './manifests';
import { ChartDiskCache } from './chart-cache';
import { shardManifests } from './shards';
import { findingsToProblems, validateEntries, ValidateOptions } from '../validate/validate';
import { ArgoExclusions, DEFAULT_ARGO_EXCLUSIONS, exclusionsFromPatch } from '../validate/argocd-exclusions';
import { Finding } from '../validate/types';
import { concatLists } from '../validate/segments';
import { RESOURCE_EXCLUSIONS_PATCH_FILE } from '../core/argocd-exclusions';
import { openValidationCache, removeOrphanCacheTemps, validationCacheKey } from '../validate/cache';
import { BodyRenderer, openBodyRenderer } from './render-pool';
import { FileRef } from './render-protocol';
import { WrittenFiles } from './written-files';
import { collectGarbage, collectsBeforeGates } from './collect';
import { Interner } from './intern';
import { knownMetrics } from '../monitoring/catalogs';
import { FileMap, fileNames, PlacedObject } from './layout';
import { LayoutEntry, orderFolders } from './folder-order';
import { sortedBy } from '../core/names';
import { Placer } from './placement-reuse';
import { yamlHeader } from './serialize';
import { resolveStack } from './resolve-all';
import { diffTree, readTree, TreeDiff } from './tree';
import { beginWrite, isWithin, recoverTree, resolveOutDir, WriteOptions, WriteResult } from './writer';

/** A check over all synthesized manifests; returns problems, or none. */
export type ManifestCheck = (manifests: ReadonlyArray<Manifest>, model: StackModel) => ReadonlyArray<Problem>;

/** Options of synthesize. */
export interface SynthOptions {
  /** More checks run on the manifests before any file is produced; any problem fails the synth. @default - none */
  readonly checks?: ReadonlyArray<ManifestCheck>;
  /**
   * The validation gates (schema, policy, wiring, PromQL), always run; any finding fails the synth.
   * @default - no schemas: the strict schema check is skipped, the other gates run
   */
  readonly validation?: ValidateOptions;
  /** How the output folder is named in messages. @default dist */
  readonly outLabel?: string;
  /**
   * What renders the objects' YAML (lib/synth/render-pool.ts): on a worker thread for large stacks, with the render
   * cache of the last synth into the same folder when synthToDir opens it; the caller ends it (commit or abort).
   * @default - a renderer without a cache, ended before synthesize returns
   */
  readonly renderer?: BodyRenderer;
  /**
   * From how many objects the YAML is rendered (and, by synthToDir, the files staged) on a worker thread.
   * @default 2000
   */
  readonly renderThreshold?: number;
  /**
   * Called before each (cluster, component) chart is built, in cluster and registry order except that charts
   * expected to be large (the fleet's at thousands of devices) come last (lib/synth/manifests.ts). @default - nothing
   */
  readonly onProgress?: (done: number, total: number, cluster: string, component: string) => void;
}

/** Everything a synth produced, in memory. */
export interface SynthResult {
  readonly model: StackModel;
  readonly manifests: ReadonlyArray<Manifest>;
  /** Files relative to the output folder, sorted by path. */
  readonly files: FileMap;
  /** The Argo CD bootstrap (AppProject and root Applications), relative to its own folder (argocd/). */
  readonly bootstrap: FileMap;
}

/**
 * Stack in, files out, in memory: parse (when given plain data), resolve, build charts, check, lay out.
 * Throws SpecError for a bad stack and ValidationError when a check fails.
 */
export function synthesize(stack: StackInput, options: SynthOptions = {}): SynthResult {
  if (options.renderer) return synthesizeWith(resolveStack(stack, parseStackRecalling), options, options.renderer);
  const model = resolveStack(stack, parseStackRecalling);
  const renderer = openBodyRenderer({ threshold: options.renderThreshold, expectedObjects: expectedObjects(model) });
  try {
    const result = synthesizeWith(model, options, renderer);
    renderer.commit();
    return result;
  } finally {
    renderer.abort(); // no-op after commit; stops the worker when the synth failed
  }
}

function synthesizeWith(model: StackModel, options: SynthOptions, renderer: BodyRenderer): SynthResult {
  const plan = planSynth(model, options, renderer);
  plan.validate();
  return { model: plan.model, manifests: plan.manifests, ...renderPlan(plan, renderer) };
}

/**
 * A cheap lower estimate of how many objects a stack gives, known before any chart is built: one per device (its
 * registration request) and a few per cluster. A stack past the render threshold starts its render worker at once.
 */
function expectedObjects(model: StackModel): number {
  return objectsOf(model.fleet?.devices.length ?? 0, model.clusters.length);
}

/** The estimate of expectedObjects from the numbers of devices and clusters. */
function objectsOf(devices: number, clusters: number): number {
  return devices + 10 * clusters;
}

export type { LayoutEntry } from './folder-order';

/** A synth up to its gates: every object built, placed and handed to the renderer; nothing validated yet. */
export interface SynthPlan {
  readonly model: StackModel;
  readonly manifests: ReadonlyArray<Manifest>;
  /** The generated-file header of every YAML file. */
  readonly header: string;
  /** The output folder's files, sorted by path. */
  readonly files: ReadonlyArray<LayoutEntry>;
  /** The Argo CD bootstrap folder's files, sorted by path. */
  readonly bootstrap: ReadonlyArray<LayoutEntry>;
  /** Runs every gate; throws ValidationError with every problem found. */
  validate(): void;
}



/**
 * Builds and places the resolved model's objects; see SynthPlan. `charts`: the output folder's charts file, whose
 * charts are reused when this process has none of the same key (lib/synth/chart-cache.ts). @default none
 */
export function planSynth(model: StackModel, options: SynthOptions, renderer: BodyRenderer, charts?: ChartDiskCache): SynthPlan {
  // Each chart's objects are final once custom resources whose CRDs another Application installs skip Argo CD's
  // dry run (before sharding, so shard sizes count it); sharded and named (both per chart), they go to the
  // renderer, with their files, while the next chart is built.
  /**
   * A component folder's objects go to the renderer, each with its file (in the output folder, index 0); placed as in
   * the last synth when it held the same frozen objects (lib/synth/placement-reuse.ts).
   */
  const placer = new Placer();
  const place = (m: Manifest): ReadonlyArray<PlacedObject> => {
    const { placed, objects, files } = placer.place(m);
    renderer.add(objects, files);
    return placed;
  };
  /** Each chart's final manifest's shards and their folders' placed objects; the charts may be built out of order (synthesizeManifests). */
  const built = new Map<Manifest, { readonly shards: Manifest[]; readonly placed: ReadonlyArray<PlacedObject>[] }>();
  // The objects built anew (the charts that read the devices, the Argo CD objects) are swapped for the last synth's of
  // the same content (intern.ts), so a folder of unchanged objects is placed, sized and checked as last time.
  const interner = new Interner();
  const finals = synthesizeManifests(model, undefined, options.onProgress, (m) => {
    const skipped = model.gitops ? skipDryRunForExternalCrds([m])[0] : m;
    const final = { ...skipped, objects: skipped.objects.map((o) => (Object.isFrozen(o) ? o : interner.object(m.cluster, o))) };
    // Sized from each object's JSON text, which also gives its digest when the renderer keys caches by it.
    const shards = shardManifests([final], (o) => measureObject(o, renderer.hashes));
    built.set(final, { shards, placed: shards.map(place) });
    return final;
  }, charts);
  // In cluster and registry order, whatever order the charts were built in (so are the problems collectPlaced finds).
  const manifests = finals.flatMap((m) => built.get(m)?.shards ?? []);
  const folders = finals.flatMap((m) => built.get(m)?.placed ?? []);
  // The Argo CD objects, as the last synth's frozen ones where they are the same (intern.ts).
  const gitops = gitopsObjects(model, manifests);
  const argo = {
    ...gitops,
    perCluster: gitops.perCluster.map((a) => ({ cluster: a.cluster, object: interner.object(a.cluster, a.object) })),
    bootstrap: gitops.bootstrap.map((o) => interner.object('argocd', o)),
  };
  interner.close();
  const argoManifests = [...new Set(argo.perCluster.map((a) => a.cluster))].map((cluster) => ({
    cluster,
    component: 'argocd',
    objects: argo.perCluster.filter((a) => a.cluster === cluster).map((a) => a.object),
  }));
  for (const m of argoManifests) folders.push(place(m));
  placer.close();
  // Sorted by path; each unchanged folder's order, layout and gate entries as the last synth worked them out.
  const ordered = orderFolders(folders);
  const label = options.outLabel ?? 'dist';
  const flows = stackFlows(model);
  // The bootstrap is a folder of its own (argocd/): its files sit at its top, named like every other file.
  const bootstrapNames = fileNames(argo.bootstrap);
  const bootstrap = sortedBy(
    argo.bootstrap.map((object, i) => ({ path: bootstrapNames[i], cluster: 'argocd', component: 'argocd', object })),
    (b) => b.path,
  );
  renderer.add(
    bootstrap.map((b) => b.object),
    bootstrap.map((b): FileRef => [1, b.path]),
  );
  const texts = new Map<string, string>(documents(model));
  if (flows.length > 0) {
    texts.set(FLOWS_FILE, flowsJson(model.name, flows));
    texts.set('FLOWS.md', flowsReadme(model.name, flows));
  }
  const bootstrapFiles = new Map<string, KubeObject | string>(bootstrap.map((p) => [p.path, p.object]));
  for (const f of argo.bootstrapFiles ?? []) bootstrapFiles.set(f.path, f.text);
  return {
    model,
    manifests,
    header: yamlHeader(model.name),
    files: ordered.layout(texts),
    bootstrap: sortedBy([...bootstrapFiles], ([path]): string => path),
    validate: () => {
      const exclusions = argocdExclusionsOf(model, argo.bootstrapFiles ?? []);
      // By folder: an unchanged folder's list is the last synth's, and passes that read one folder at a time reuse its result.
      const segments = [...ordered.segments(label), bootstrap.map((p) => ({ file: `argocd/${p.path}`, cluster: 'argocd', object: p.object }))];
      const findings = validateEntries(concatLists(segments), {
        metrics: knownMetrics(model),
        root: label,
        flows,
        segments,
        beforeDigests: () => renderer.digests(),
        ...(exclusions ? { argocdExclusions: exclusions } : {}),
        ...options.validation,
      });
      const problems = [...findingsToProblems(findings), ...(options.checks ?? []).flatMap((check) => check(manifests, model))];
      if (problems.length > 0) throw new ValidationError(problems);
    },
  };
}

/**
 * The resource exclusions of the Argo CD that syncs the output: those of the bootstrap's argocd-cm patch when
 * synth writes one, else Argo CD's default; none without gitops.
 */
function argocdExclusionsOf(model: StackModel, files: ReadonlyArray<{ path: string; text: string }>): ArgoExclusions | Finding | undefined {
  if (!model.gitops) return undefined;
  const patch = files.find((f) => f.path === RESOURCE_EXCLUSIONS_PATCH_FILE);
  const exclusions = patch ? exclusionsFromPatch(patch.text, `argocd/${patch.path}`) : DEFAULT_ARGO_EXCLUSIONS;
  // Applicationset mode has no folder Applications to tell each cluster's server: the model does.
  return 'rules' in exclusions ? { ...exclusions, servers: new Map(model.clusters.map((c) => [c.name, c.server])) } : exclusions;
}

/** The files of a plan: each object's YAML (header and body), each text as it is. */
export function renderPlan(plan: SynthPlan, renderer: BodyRenderer): { files: FileMap; bootstrap: FileMap } {
  const render = (layout: ReadonlyArray<LayoutEntry>): FileMap => new Map(layout.map(([p, c]) => [p, typeof c === 'string' ? c : `${plan.header}\n${renderer.body(c)}`]));
  return { files: render(plan.files), bootstrap: render(plan.bootstrap) };
}

/** The bootstrap folder beside an output folder: `<parent of outdir>/argocd`. */
export function defaultBootstrapDir(outdir: string): string {
  return path.join(path.dirname(path.resolve(outdir)), 'argocd');
}

/**
 * Synthesizes `stack` into `outdir` (and the Argo CD bootstrap into `bootstrapDir`) in one transaction
 * (see beginWrite): both folders are replaced together or not at all; on any failure before the commit,
 * both are left exactly as they were. For a large stack the files are rendered and staged on a worker thread
 * while the gates run here; a failed gate removes the staging folders. Objects that passed the per-object
 * checks in an earlier run into the same folder are not checked again, nor serialized again, and its charts that do
 * not read the devices are not built again (in a process that has none in memory: lib/synth/chart-cache.ts), when
 * `validationCache` names a cache folder (the CLI gives defaultCacheDir(outdir); @default false, no cache).
 */
export function synthToDir(
  stack: StackInput,
  outdir: string,
  options: SynthOptions & WriteOptions & { readonly bootstrapDir?: string; readonly validationCache?: string | false } = {},
): SynthResult & { write: WriteResult; bootstrapWrite?: WriteResult } {
  const cacheDir = options.validationCache ?? false;
  // Inside the output folder, the cache would be refused as files edgewatt did not generate on the next write.
  if (cacheDir !== false) {
    if (isWithin(path.resolve(cacheDir), path.resolve(outdir))) {
      throw new SpecError([{ path: 'validationCache', message: `${cacheDir} is inside ${outdir}, which is replaced whole: keep the caches beside it (the CLI's: ${defaultCacheDir(outdir)})` }], 'bad output folder');
    }
  }
  const key = cacheDir === false ? '' : validationCacheKey(options.validation?.schemas);
  const cache = cacheDir === false ? undefined : openValidationCache(cacheDir, key);
  // The last synth's charts, for a process that has none in memory (lib/synth/chart-cache.ts).
  const charts = cacheDir === false ? undefined : new ChartDiskCache(cacheDir);
  // Opened before the stack is resolved: a large stack's render worker starts at once and reads the file index
  // meanwhile; it gets its folders (stageInto) once their locks are taken. Nothing is staged before then.
  const renderer = openBodyRenderer({
    ...(cacheDir === false ? {} : { cacheDir, key }),
    warm: (cache?.size ?? 0) > 0,
    threshold: options.renderThreshold,
    expectedObjects: expectedInputObjects(stack),
    stagingLater: true,
  });
  let txn: ReturnType<typeof beginWrite> | undefined;
  try {
    const model = resolveStack(stack, parseStackRecalling); // a bad stack fails here, before any lock is taken
    // Every stack with GitOps has a bootstrap (its AppProject at least), and a stack without it has none.
    txn = beginWrite([outdir, ...(model.gitops ? [options.bootstrapDir ?? defaultBootstrapDir(outdir)] : [])], options);
    const folders = txn.folders;
    // What killed runs left half-saved in the cache folder goes (a live process's temporary files stay).
    if (cacheDir !== false) removeOrphanCacheTemps(cacheDir);
    renderer.stageInto({ header: yamlHeader(model.name), folders: folders.map((f) => ({ abs: f.abs, label: f.dir, staging: f.entry.staging })) });
    // Gates that check many objects afresh do not carry the build's garbage into their own allocations.
    const beforeChecks = (fresh: number): void => {
      options.validation?.beforeChecks?.(fresh);
      if (collectsBeforeGates(fresh)) collectGarbage();
    };
    const plan = planSynth(model, { outLabel: outdir, ...options, validation: { ...options.validation, cache, beforeChecks } }, renderer, charts);
    plan.validate();
    // The texts among the files (a few dozen of 116,000 at 100,000 devices: no array per file).
    const texts: Array<readonly [number, string, string]> = [];
    [plan.files, plan.bootstrap].forEach((layout, folder) => {
      for (let i = 0; i < layout.length; i++) {
        const c = layout[i][1];
        if (typeof c === 'string') texts.push([folder, layout[i][0], c]);
      }
    });
    // The caches are saved only after the commit, before the locks are released: this thread's while the render
    // worker saves its own (the file index and render.json).
    const writes = txn.commit(renderer.staged(texts), () =>
      renderer.commit(() => {
        cache?.save();
        charts?.save();
      }),
    );
    // The files were written on the render worker (or staged here for a small stack): their texts are read back
    // from the folders only when asked for, so a 100,000-device synth does not hold them all in memory.
    const files = new WrittenFiles(folders[0].abs, plan.files.map(([p]) => p));
    const bootstrap = folders.length > 1 ? new WrittenFiles(folders[1].abs, plan.bootstrap.map(([p]) => p)) : new Map<string, string>();
    return { model, manifests: plan.manifests, files, bootstrap, write: writes[0], bootstrapWrite: writes[1] };
  } catch (e) {
    // A bad charts file (changed by hand, say) would fail every synth after this one: the next builds every chart.
    if (charts?.used) charts.discard();
    throw e;
  } finally {
    renderer.abort(); // no-op after commit; stops the worker first, which may be writing into a staging folder
    txn?.abort(); // no-op after commit: a failed synth leaves both folders, and render.json, as they were
  }
}

/**
 * expectedObjects of a stack not yet resolved (its input as given): its devices and clusters when they are lists,
 * else none (the worker then starts once the threshold's objects were added, as without an estimate).
 */
function expectedInputObjects(stack: StackInput): number {
  const input = stack as { fleet?: { devices?: unknown }; clusters?: unknown } | undefined;
  const count = (x: unknown): number => (Array.isArray(x) ? x.length : 0);
  return objectsOf(count(input?.fleet?.devices), count(input?.clusters));
}

/**
 * Where `edgewatt synth` keeps its validation cache (lib/validate/cache.ts): `.edgewatt.cache/<out folder name>`
 * beside the output folder (git-ignored; never inside it, which is replaced whole; not named `.edgewatt-…`,
 * which are the writer's own lock, journal and staging entries).
 */
export function defaultCacheDir(outdir: string): string {
  const abs = path.resolve(outdir);
  return path.join(path.dirname(abs), '.edgewatt.cache', path.basename(abs));
}

/** What checkDir found: the differing files (paths relative to `outdir`) and both versions of each. */
export interface CheckResult extends TreeDiff {
  /** What the stack gives, by the same relative paths. */
  readonly expected: ReadonlyMap<string, string>;
  /** What is on disk, by the same relative paths. */
  readonly actual: ReadonlyMap<string, Buffer>;
}

/** Compares `outdir` (and the bootstrap folder) with a fresh synth of `stack` without writing anything (except crash recovery). */
export function checkDir(stack: StackInput, outdir: string, options: SynthOptions & { readonly bootstrapDir?: string } = {}): TreeDiff {
  const { missing, changed, stale } = checkDirContents(stack, outdir, options);
  return { missing, changed, stale };
}

/** checkDir, with both versions of every file (for a diff). */
export function checkDirContents(stack: StackInput, outdir: string, options: SynthOptions & { readonly bootstrapDir?: string } = {}): CheckResult {
  const result = synthesize(stack, { outLabel: outdir, ...options });
  const dir = options.bootstrapDir ?? defaultBootstrapDir(outdir);
  recoverTree(outdir);
  recoverTree(dir);
  const actual = readTree(resolveOutDir(outdir), outdir);
  const main = diffTree(actual, result.files);
  const expected = new Map<string, string>(result.files);
  if (result.bootstrap.size === 0) return { ...main, expected, actual };
  const bootActual = readTree(resolveOutDir(dir), dir);
  const b = diffTree(bootActual, result.bootstrap);
  const rel = (f: string) => path.join(path.relative(path.resolve(outdir), dir), f);
  for (const [f, t] of result.bootstrap) expected.set(rel(f), t);
  for (const [f, t] of bootActual) actual.set(rel(f), t);
  return { missing: [...main.missing, ...b.missing.map(rel)], changed: [...main.changed, ...b.changed.map(rel)], stale: [...main.stale, ...b.stale.map(rel)], expected, actual };
}
