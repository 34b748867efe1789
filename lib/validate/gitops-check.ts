import { perSegment, Segments } from './segments';
import { jsonLength } from '../core/kube-object';
import { isExactChartVersion } from '../core/versions';
import { APPLICATION_LIMITS } from '../synth/shards';
import { Json } from './pods';
import { checkProjectDestinations } from './project-destinations';
import { Entry, Finding } from './types';

/** Whether an Application deploys one of edgewatt's own folders (not an upstream component). */
function isFolderApplication(e: Entry): boolean {
  if (e.object.kind !== 'Application') return false;
  const l = e.object.metadata.labels ?? {};
  return /\/argocd\/[^/]+$/.test(e.file) && l['app.kubernetes.io/managed-by'] === 'edgewatt' && !!l['edgewatt.io/component'] && l['edgewatt.io/component'] !== 'operators';
}

/** A folder `<cluster>/<folder>` of the tree. */
interface Folder {
  /** `<cluster>/<folder>`. */
  readonly key: string;
  /** `<folder>` alone. */
  readonly folder: string;
}

/**
 * Reads the folder of files `<root>/<cluster>/<folder>/<name>` (the part after the root has exactly two `/`);
 * undefined for a file at any other depth. Found by index, without splitting; a file that starts with the
 * previous one's `<root>/<cluster>/<folder>/` and has no `/` after it is in that same folder (its first two `/`
 * after the root are those of the shared start), so the same Folder is returned without new strings.
 */
function folderReader(root: string): (file: string) => Folder | undefined {
  const start = root.length + 1;
  let prefix = '';
  let last: Folder | undefined;
  return (file) => {
    if (last !== undefined && file.startsWith(prefix) && file.indexOf('/', prefix.length) < 0) return last;
    const i = file.indexOf('/', start);
    if (i < 0) return undefined;
    const j = file.indexOf('/', i + 1);
    if (j < 0 || file.indexOf('/', j + 1) >= 0) return undefined;
    prefix = file.slice(0, j + 1);
    last = { key: file.slice(start, j), folder: file.slice(i + 1, j) };
    return last;
  };
}

/** A folder's objects: how many, their JSON bytes, and its first and last file. */
interface FolderTally {
  objects: number;
  bytes: number;
  readonly first: string;
  last: string;
}

/** Adds one object of `file` (`at`, its folder) to the tallies. */
function tallyOne(folders: Map<string, FolderTally>, at: Folder, file: string, object: Entry['object'], last: { at?: Folder; f?: FolderTally }): void {
  let f = at === last.at ? last.f : folders.get(at.key);
  if (!f) folders.set(at.key, (f = { objects: 0, bytes: 0, first: file, last: file }));
  last.at = at;
  last.f = f;
  f.objects++;
  f.last = file;
  // Exact: the JSON length of each object (a cheaper estimate could pass a folder that is over).
  f.bytes += jsonLength(object);
}

/**
 * Every folder of the tree has exactly one Application, and every Application of a folder points at a
 * folder that exists: no orphans either way; and every Application is within Argo CD's limits
 * (checkApplicationLimits). Applies to trees that carry Applications (dist/<cluster>/argocd/). Each object is read
 * once (the folders are tallied in the same pass that finds the Applications; at 116,000 objects, each pass over
 * them is a read of every object from memory anew).
 */
export function checkGitops(entries: ReadonlyArray<Entry>, root: string): Finding[] {
  return checkGitopsIn([entries], root);
}

/** What checkGitops reads of a list of entries in its one pass over them (gitopsFacts). */
interface GitopsFacts {
  /** The Applications of edgewatt's own folders. */
  readonly apps: ReadonlyArray<Entry>;
  /** Every Application and AppProject, for the destination check. */
  readonly argo: ReadonlyArray<Entry>;
  readonly helm: ReadonlyArray<Finding>;
  /** Each folder's tally of the list's objects, in the order met. */
  readonly folders: ReadonlyMap<string, Readonly<FolderTally>>;
}

/** A list's facts by output root (a tally reads the folder after the root), kept for an unchanged folder. */
const factsByRoot = perSegment((): Map<string, GitopsFacts> => new Map());

function gitopsFacts(entries: ReadonlyArray<Entry>, root: string): GitopsFacts {
  const known = factsByRoot(entries);
  const kept = known.get(root);
  if (kept !== undefined) return kept;
  const apps: Entry[] = [];
  const argo: Entry[] = [];
  const helm: Finding[] = [];
  const folders = new Map<string, FolderTally>();
  const folderOf = folderReader(root);
  const last = {};
  for (const e of entries) {
    const o = e.object;
    if (o.kind === 'Application') {
      if (isFolderApplication(e)) apps.push(e);
      helmSourceFindings(e, helm);
    }
    if (o.kind === 'Application' || o.kind === 'AppProject') argo.push(e);
    const at = folderOf(e.file);
    if (at) tallyOne(folders, at, e.file, o, last);
  }
  const facts = { apps, argo, helm, folders };
  known.set(root, facts);
  return facts;
}

/** checkGitops of entries given as consecutive lists (lib/validate/segments.ts): each list read once (gitopsFacts). */
export function checkGitopsIn(segments: Segments, root: string): Finding[] {
  const facts = segments.map((list) => gitopsFacts(list, root));
  const apps = facts.flatMap((f) => f.apps);
  // The lists' tallies added up, folder by folder, in order (a list's own tallies are never changed: they are kept).
  const folders = new Map<string, FolderTally>();
  for (const f of facts) {
    for (const [key, t] of f.folders) {
      const sum = folders.get(key);
      if (sum === undefined) folders.set(key, { ...t });
      else {
        sum.objects += t.objects;
        sum.bytes += t.bytes;
        sum.last = t.last;
      }
    }
  }
  return [
    ...facts.flatMap((f) => f.helm),
    ...checkProjectDestinations(facts.flatMap((f) => f.argo)),
    ...(apps.length > 0 ? [...checkFolders(apps, folders), ...limitFindings(folders)] : []),
  ];
}

/**
 * Argo CD's limits on every Application edgewatt writes (APPLICATION_LIMITS, which sharding keeps): each folder
 * `<cluster>/<folder>` is one Application, so it holds at most 1,000 objects and 2 MiB (JSON, the size sharding
 * estimates). `<cluster>/argocd` is a folder too — the one the cluster's root app-of-apps syncs — so the same
 * bound caps the number of Applications per cluster at 1,000. Applies to trees that carry Applications.
 */
export function checkApplicationLimits(entries: ReadonlyArray<Entry>, root: string): Finding[] {
  const facts = gitopsFacts(entries, root);
  return facts.apps.length > 0 ? limitFindings(facts.folders) : [];
}

function limitFindings(folders: ReadonlyMap<string, Readonly<FolderTally>>): Finding[] {
  const out: Finding[] = [];
  for (const [key, f] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const what = key.endsWith('/argocd') ? `cluster ${key.split('/')[0]} has ${f.objects} Applications (its root app-of-apps syncs them as one Application)` : `folder ${key} (one Argo CD Application) holds ${f.objects} objects`;
    if (f.objects > APPLICATION_LIMITS.maxObjects) out.push({ file: f.first, pointer: '', message: `${what}: over Argo CD's ${APPLICATION_LIMITS.maxObjects}-object limit per Application; split the component or the cluster` });
    if (f.bytes > APPLICATION_LIMITS.maxBytes) out.push({ file: f.first, pointer: '', message: `folder ${key} (one Argo CD Application) holds ${f.bytes} bytes of objects: over Argo CD's ${APPLICATION_LIMITS.maxBytes}-byte limit per Application; split the component` });
  }
  return out;
}

/**
 * Every Application source that is a Helm chart (`chart` set) pins one exact chart version: Argo CD reads
 * `targetRevision` as a semver constraint (argo-cd v3.5.1 `pkg/apis/application/v1alpha1/types.go`), so a
 * range, `*` or a missing value would follow new chart releases without a commit. Its findings on one object (any
 * kind) are added to `out`.
 */
function helmSourceFindings(e: Entry, out: Finding[]): void {
  if (e.object.kind !== 'Application' || !String(e.object.apiVersion).startsWith('argoproj.io/')) return;
  const spec = (e.object as Json).spec ?? {};
  const sources: Array<[Json, string]> = [...(spec.source ? [[spec.source, '/spec/source'] as [Json, string]] : []), ...((spec.sources ?? []) as Json[]).map((s, i) => [s, `/spec/sources/${i}`] as [Json, string])];
  for (const [src, pointer] of sources) {
    if (typeof src?.chart !== 'string') continue;
    const v = src.targetRevision;
    if (v === undefined || v === '') out.push({ file: e.file, pointer: `${pointer}/targetRevision`, message: `chart ${src.chart} has no targetRevision: pin its exact chart version (such as v1.21.1)` });
    else if (!isExactChartVersion(v)) out.push({ file: e.file, pointer: `${pointer}/targetRevision`, message: `"${v}" is not one exact version of chart ${src.chart} (a range, * or a name): pin an exact chart version such as v1.21.1` });
  }
}

/** The folders' Applications (`apps`) against the folders: each deploys a folder that exists, and each folder has one. */
function checkFolders(apps: ReadonlyArray<Entry>, tallies: ReadonlyMap<string, FolderTally>): Finding[] {
  // <cluster>/<folder> -> a file in it (the last), for every folder but the Applications' own.
  const folders = new Map([...tallies].filter(([key]) => !key.endsWith('/argocd')).map(([key, f]) => [key, f.last]));
  const out: Finding[] = [];
  const claimed = new Map<string, string>();
  for (const a of apps) {
    const path: string = (a.object as Json).spec?.source?.path ?? '';
    const key = /([^/]+\/[^/]+)$/.exec(path)?.[1] ?? '';
    if (!folders.has(key)) out.push({ file: a.file, pointer: '/spec/source/path', message: `points at ${path}, a folder that holds no objects` });
    else if (claimed.has(key)) out.push({ file: a.file, pointer: '/spec/source/path', message: `deploys ${key}, which ${claimed.get(key)} deploys too` });
    claimed.set(key, a.file);
  }
  for (const [folder, file] of [...folders].sort()) {
    if (!claimed.has(folder)) out.push({ file, pointer: '', message: `folder ${folder} has no Application: nothing deploys it` });
  }
  return out;
}
