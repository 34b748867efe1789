import { apiGroupOf } from '../core/kube-object';
import { Entry } from '../validate/types';
import { objectName, pool } from './tree';
import { ApiRejection, ApplyOptions, causeLines, KindNotServed, LiveClient, LiveObject } from './types';

/** What the API server said about one object. */
export interface DryRunOutcome {
  readonly file: string;
  readonly object: string;
  /** accepted: the server would store it; rejected: it refused; skipped: it cannot judge before the tree is applied. */
  readonly outcome: 'accepted' | 'rejected' | 'skipped';
  /** The server's reason (Invalid, Forbidden, Conflict, NotFound, …) or why it was skipped. */
  readonly reason?: string;
  readonly message?: string;
  /** The fields the server named, with its message for each. */
  readonly causes?: ReadonlyArray<{ field?: string; message?: string }>;
}

/** Requests in flight at once. */
export const CONCURRENCY = 8;

/** Namespaces and CRDs the tree itself creates: objects that need them cannot be dry-run before it is applied. */
function createdByTree(entries: Entry[]): { namespaces: Set<string>; crdKinds: Set<string> } {
  const namespaces = new Set(entries.filter((e) => e.object.apiVersion === 'v1' && e.object.kind === 'Namespace').map((e) => e.object.metadata.name));
  // Namespaces Argo CD creates for the stack's upstream Applications (CreateNamespace=true), such as the Flotta operator's.
  for (const e of entries.filter((x) => x.object.kind === 'Application' && x.object.apiVersion.startsWith('argoproj.io/'))) {
    const spec = e.object.spec as { destination?: { namespace?: string }; syncPolicy?: { syncOptions?: string[] } } | undefined;
    if (spec?.syncPolicy?.syncOptions?.includes('CreateNamespace=true') && spec.destination?.namespace) namespaces.add(spec.destination.namespace);
  }
  const crdKinds = new Set<string>();
  for (const e of entries.filter((x) => x.object.kind === 'CustomResourceDefinition')) {
    const spec = e.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    if (spec?.group && spec.names?.kind) crdKinds.add(`${spec.group}/${spec.names.kind}`);
  }
  return { namespaces, crdKinds };
}

/**
 * Server-side dry-run apply of every object; one object's rejection does not stop the others. `created` are
 * the Namespaces and CRDs the cluster's tree makes (default: those among `entries`).
 */
export async function dryRunTree(client: LiveClient, entries: Entry[], opts: Omit<ApplyOptions, 'dryRun'>, created: Entry[] = entries): Promise<DryRunOutcome[]> {
  const made = createdByTree(created);
  return pool(entries, CONCURRENCY, async (e): Promise<DryRunOutcome> => {
    const base = { file: e.file, object: objectName(e.object) };
    try {
      await client.apply(e.object as LiveObject, { ...opts, dryRun: true });
      return { ...base, outcome: 'accepted' };
    } catch (err) {
      if (!(err instanceof ApiRejection)) throw err;
      const ns = e.object.metadata.namespace;
      const group = apiGroupOf(e.object.apiVersion);
      if (err.code === 404 && ns && made.namespaces.has(ns) && err.message.includes(`namespaces "${ns}" not found`)) {
        return { ...base, outcome: 'skipped', reason: `namespace ${ns} is created by this cluster's tree and a dry run does not persist it` };
      }
      if (err instanceof KindNotServed && made.crdKinds.has(`${group}/${e.object.kind}`)) {
        return { ...base, outcome: 'skipped', reason: `${e.object.kind} is defined by a CRD in this cluster's tree and a dry run does not install it` };
      }
      return { ...base, outcome: 'rejected', reason: err.reason, message: err.message, causes: err.causes };
    }
  });
}

/** The report `edgewatt apply --dry-run` prints: rejections with object path and fields, then a count. */
export function formatDryRun(results: DryRunOutcome[], where: string): string {
  let out = '';
  for (const r of results.filter((x) => x.outcome === 'rejected')) {
    out += `rejected  ${r.file}  ${r.object}: ${r.reason}: ${r.message}\n`;
    out += causeLines(r.causes ?? [], '            ');
  }
  for (const r of results.filter((x) => x.outcome === 'skipped')) out += `skipped   ${r.file}  ${r.object}: ${r.reason}\n`;
  const n = (k: DryRunOutcome['outcome']): number => results.filter((x) => x.outcome === k).length;
  out += `server-side dry run against ${where}: ${n('accepted')} accepted, ${n('rejected')} rejected, ${n('skipped')} skipped\n`;
  return out;
}
