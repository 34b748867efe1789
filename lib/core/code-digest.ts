import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * What a cache kept on disk is keyed by besides its inputs: the code that computed it. A cache written by one
 * edgewatt build (or one set of dependency versions) is never read by another.
 */

const digests = new Map<string, string>();

/**
 * sha256 over every source file (`.js`, `.ts`, `.json`) under `root`, with its path relative to `root`, in sorted
 * order: any change to the code there gives another digest. Computed once per root in a process.
 */
export function sourceDigest(root: string): string {
  const known = digests.get(root);
  if (known) return known;
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = fs.statSync(full);
      if (st.isDirectory()) walk(full);
      else if (/\.(js|ts|json)$/.test(name)) h.update(path.relative(root, full)).update('\0').update(fs.readFileSync(full)).update('\0');
    }
  };
  walk(root);
  const digest = h.digest('hex');
  digests.set(root, digest);
  return digest;
}

/**
 * `name@version` of each package, as installed where `from`'s module resolution finds it (the nearest
 * `node_modules/<name>/package.json` above `from`), `name@?` when it is not found; joined with commas.
 */
export function packageVersions(names: ReadonlyArray<string>, from: string): string {
  return names
    .map((name) => {
      for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        const pkg = path.join(dir, 'node_modules', name, 'package.json');
        if (fs.existsSync(pkg)) return `${name}@${(JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version}`;
      }
      return `${name}@?`;
    })
    .join(',');
}
