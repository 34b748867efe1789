import { Json } from './pods';
import { Entry, Finding } from './types';

/** Whether an Application deploys one of edgewatt's own folders (not an upstream component). */
function isFolderApplication(e: Entry): boolean {
  const l = e.object.metadata.labels ?? {};
  return e.object.kind === 'Application' && /\/argocd\/[^/]+$/.test(e.file) && l['app.kubernetes.io/managed-by'] === 'edgewatt' && !!l['edgewatt.io/component'] && l['edgewatt.io/component'] !== 'operators';
}

/**
 * Every folder of the tree has exactly one Application, and every Application of a folder points at a
 * folder that exists: no orphans either way. Applies to trees that carry Applications (dist/<cluster>/argocd/).
 */
export function checkGitops(entries: ReadonlyArray<Entry>, root: string): Finding[] {
  const apps = entries.filter(isFolderApplication);
  if (apps.length === 0) return [];
  const folders = new Map<string, string>(); // <cluster>/<folder> -> a file in it
  for (const e of entries) {
    const rel = e.file.slice(root.length + 1).split('/');
    if (rel.length === 3 && rel[1] !== 'argocd') folders.set(`${rel[0]}/${rel[1]}`, e.file);
  }
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
