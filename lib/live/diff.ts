import { yamlBody } from '../synth/serialize';
import { Entry } from '../validate/types';
import { CONCURRENCY } from './dry-run';
import { ClusterTree, objectName, pool } from './tree';
import { ApiRejection, ApplyOptions, causeLines, LiveClient, LiveObject } from './types';

/** How one object differs. */
export interface ObjectDiff {
  /** unchanged; changed: live differs from what applying dist would store; added: not live yet; pruned: live, labelled as the stack's, not in dist (Argo CD deletes it); failed: the server refused the comparison. */
  readonly change: 'unchanged' | 'changed' | 'added' | 'pruned' | 'failed';
  readonly object: string;
  /** The dist file, absent for pruned objects. */
  readonly file?: string;
  /** A unified diff from live to dist (empty when unchanged), or the server's message when failed. */
  readonly text: string;
}

/** Metadata the API server writes: never part of a difference. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];
/** Annotations controllers and Argo CD write. */
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'argocd.argoproj.io/tracking-id'];

/** A copy without the fields the server sets (metadata above, `status`), as sorted YAML. */
export function normalized(o: LiveObject): string {
  const copy = structuredClone(o) as LiveObject;
  delete copy.status;
  const meta = copy.metadata ?? {};
  for (const k of SERVER_METADATA) delete meta[k];
  if (meta.annotations) {
    for (const k of SERVER_ANNOTATIONS) delete meta.annotations[k];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  return yamlBody(copy);
}

/** A unified diff between two texts; loaded when a diff is made, so other commands never load it. */
function unified(from: string, to: string, a: string, b: string): string {
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  return createTwoFilesPatch(from, to, a, b, undefined, undefined, { context: 3 }).replace(/^=+\n/m, '');
}

/** Compares one object: live as it is against what the server would store after applying the dist object. */
async function compare(client: LiveClient, e: Entry, opts: Omit<ApplyOptions, 'dryRun'>): Promise<ObjectDiff> {
  const object = e.object as LiveObject;
  const base = { object: objectName(object), file: e.file };
  const ref = { apiVersion: e.object.apiVersion, kind: e.object.kind, name: e.object.metadata.name, ...(e.object.metadata.namespace ? { namespace: e.object.metadata.namespace } : {}) };
  try {
    const live = await client.read(ref);
    if (!live) return { ...base, change: 'added', text: unified(`live/${base.object}`, e.file, '', normalized(object)) };
    const merged = await client.apply(object, { ...opts, dryRun: true });
    const a = normalized(live);
    const b = normalized(merged);
    return a === b ? { ...base, change: 'unchanged', text: '' } : { ...base, change: 'changed', text: unified(`live/${base.object}`, e.file, a, b) };
  } catch (err) {
    if (!(err instanceof ApiRejection)) throw err;
    return { ...base, change: 'failed', text: `${err.reason}: ${err.message}${err.causes.length ? `\n${causeLines(err.causes, '    ').slice(0, -1)}` : ''}` };
  }
}

/**
 * Live objects of the kinds and namespaces the tree uses, labelled as the stack's, that the tree does not
 * hold. Objects with an owner (ReplicaSets, EndpointSlices of Services) are the controllers', not the stack's.
 */
async function prunable(client: LiveClient, entries: Entry[], stack: string): Promise<ObjectDiff[]> {
  const inTree = new Set(entries.map((e) => objectName(e.object)));
  const namespaces = [...new Set(entries.map((e) => e.object.metadata.namespace).filter((n): n is string => !!n))].sort();
  const kinds = new Map<string, { apiVersion: string; kind: string; namespaced: boolean }>();
  for (const e of entries) kinds.set(`${e.object.apiVersion} ${e.object.kind}`, { apiVersion: e.object.apiVersion, kind: e.object.kind, namespaced: !!e.object.metadata.namespace });
  type ListCall = { apiVersion: string; kind: string; namespace?: string };
  const lists: ListCall[] = [...kinds.values()]
    .sort((a, b) => (`${a.apiVersion} ${a.kind}` < `${b.apiVersion} ${b.kind}` ? -1 : 1))
    .flatMap((k) => (k.namespaced ? namespaces.map((namespace) => ({ apiVersion: k.apiVersion, kind: k.kind, namespace })) : [{ apiVersion: k.apiVersion, kind: k.kind }]));
  const found = await pool(lists, CONCURRENCY, async (l): Promise<{ l: ListCall; items: LiveObject[]; error?: string }> => {
    try {
      return { l, items: await client.list(l.apiVersion, l.kind, { ...(l.namespace ? { namespace: l.namespace } : {}), labelSelector: `app.kubernetes.io/part-of=${stack}` }) };
    } catch (err) {
      if (err instanceof ApiRejection) return { l, items: [], error: `${err.reason}: ${err.message}` };
      throw err;
    }
  });
  const out: ObjectDiff[] = [];
  for (const { l, items, error } of found) {
    if (error) out.push({ change: 'failed', object: `${l.kind}${l.namespace ? ` in ${l.namespace}` : ''}`, text: `could not list them to find objects Argo CD would prune: ${error}` });
    for (const o of items) {
      const owners = o.metadata?.ownerReferences;
      if (Array.isArray(owners) && owners.length > 0) continue;
      // List items often leave out apiVersion and kind; the list says what they are.
      const full: LiveObject = { ...o, apiVersion: l.apiVersion, kind: l.kind };
      const name = objectName(full);
      if (inTree.has(name)) continue;
      out.push({ change: 'pruned', object: name, text: unified(`live/${name}`, '/dev/null', normalized(full), '') });
    }
  }
  return out;
}

/** Compares a cluster's tree with what is live; pruned objects are found only for a whole cluster folder. */
export async function diffLive(client: LiveClient, tree: ClusterTree, opts: Omit<ApplyOptions, 'dryRun'>): Promise<ObjectDiff[]> {
  const diffs = await pool(tree.entries, CONCURRENCY, (e) => compare(client, e, opts));
  const stack = tree.entries.map((e) => e.object.metadata.labels?.['app.kubernetes.io/part-of']).find((s) => !!s);
  if (tree.wholeCluster && stack) diffs.push(...(await prunable(client, tree.entries, stack)));
  return diffs;
}

/** What `edgewatt diff` prints: the unified diffs, then a count. */
export function formatDiff(diffs: ObjectDiff[], where: string, wholeCluster: boolean): string {
  let out = '';
  for (const d of diffs) {
    if (d.change === 'changed' || d.change === 'added' || d.change === 'pruned') out += `# ${d.change}: ${d.object}${d.file ? ` (${d.file})` : ''}\n${d.text}`;
    if (d.change === 'failed') out += `# failed: ${d.object}${d.file ? ` (${d.file})` : ''}: ${d.text}\n`;
  }
  const n = (k: ObjectDiff['change']): number => diffs.filter((d) => d.change === k).length;
  out += `diff against ${where}: ${n('changed')} changed, ${n('added')} added, ${n('pruned')} pruned, ${n('unchanged')} unchanged, ${n('failed')} failed`;
  out += wholeCluster ? '\n' : ' (objects Argo CD would prune are found only when diffing a whole dist/<cluster> folder)\n';
  return out;
}
