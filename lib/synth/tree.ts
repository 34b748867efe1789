import * as fs from 'fs';
import * as path from 'path';
import { FileMap } from './layout';

/** Reads every file below `dir` as `relative/path` → bytes; an absent folder is an empty tree. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.set(child, fs.readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return out;
}

/** How a folder on disk differs from the files a synth produces. */
export interface TreeDiff {
  /** Files the synth produces that the folder lacks. */
  readonly missing: string[];
  /** Files whose content differs. */
  readonly changed: string[];
  /** Files in the folder that the synth no longer produces. */
  readonly stale: string[];
}

/** Compares the files on disk with the files wanted; all lists sorted. */
export function diffTree(existing: ReadonlyMap<string, Buffer>, wanted: FileMap): TreeDiff {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [rel, content] of wanted) {
    const have = existing.get(rel);
    if (have === undefined) missing.push(rel);
    else if (!have.equals(Buffer.from(content, 'utf8'))) changed.push(rel);
  }
  const stale = [...existing.keys()].filter((rel) => !wanted.has(rel));
  return { missing: missing.sort(), changed: changed.sort(), stale: stale.sort() };
}

/** True when the diff is empty. */
export function isClean(d: TreeDiff): boolean {
  return d.missing.length + d.changed.length + d.stale.length === 0;
}
