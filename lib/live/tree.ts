import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../core/errors';
import { Entry } from '../validate/types';
import { readObjects } from './expected';

/** The objects of one cluster's folder that go to that cluster. */
export interface ClusterTree {
  /** Objects to send, in file order. */
  readonly entries: Entry[];
  /** Argo CD objects found under an `argocd/` folder: they go to Argo CD's cluster, not this one. */
  readonly argocd: Entry[];
  /** True when `dir` is a whole cluster folder (`dist/<cluster>`), so objects missing from it are pruned by Argo CD. */
  readonly wholeCluster: boolean;
  /** Namespaces and CRDs the cluster's tree creates: in `dir`, or for a component folder in its sibling folders. */
  readonly created: Entry[];
}

/** Files holding objects other objects need to exist first (an Application may create its namespace). */
const PREREQUISITES = /^kind: *(Namespace|CustomResourceDefinition|Application) *$/m;
const isPrerequisite = (e: Entry): boolean => e.object.kind === 'Namespace' || e.object.kind === 'CustomResourceDefinition' || e.object.kind === 'Application';

/** Namespaces and CRDs in the folders beside a component folder (its cluster's other components). */
function siblingPrerequisites(dir: string): Entry[] {
  const parent = path.dirname(path.resolve(dir));
  const out: Entry[] = [];
  for (const d of fs.readdirSync(parent, { withFileTypes: true })) {
    if (!d.isDirectory() || path.join(parent, d.name) === path.resolve(dir)) continue;
    out.push(...readObjects(path.join(parent, d.name), '[dir]', PREREQUISITES).filter(isPrerequisite));
  }
  return out;
}

/**
 * Reads `dist/<cluster>`, `dist/<cluster>/<component>` or `argocd/`. A whole `dist/` (several clusters) is
 * refused, since each cluster's folder goes to its own cluster.
 */
export function readClusterTree(dir: string): ClusterTree {
  const entries = readObjects(dir, '[dir]');
  const rel = (e: Entry): string[] => path.relative(dir, e.file).split(path.sep);
  if (entries.some((e) => rel(e).length >= 3)) {
    const clusters = [...new Set(entries.map((e) => rel(e)[0]))].sort();
    throw new SpecError([{ path: '[dir]', message: `${dir} holds several clusters' folders: name one, e.g. ${clusters.map((c) => path.join(dir, c)).join(' or ')}, and pick its cluster with --context` }]);
  }
  const inArgocd = (e: Entry): boolean => path.basename(dir) !== 'argocd' && rel(e).length > 1 && rel(e)[0] === 'argocd';
  const wholeCluster = entries.some((e) => rel(e).length === 2);
  const own = entries.filter(isPrerequisite);
  return {
    entries: entries.filter((e) => !inArgocd(e)),
    argocd: entries.filter(inArgocd),
    wholeCluster,
    created: wholeCluster || path.basename(dir) === 'argocd' ? own : [...own, ...siblingPrerequisites(dir)],
  };
}

/** How objects are named in messages: `Kind namespace/name` or `Kind name`. */
export function objectName(o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  const m = o.metadata ?? {};
  return `${o.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function pool<T, R>(items: ReadonlyArray<T>, limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
