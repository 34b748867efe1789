import { createHash } from 'crypto';

/**
 * A digest of a set of generated files: sha256 over `path\0content\0` in code-unit path order, so two synths
 * with byte-identical output (same file names, same bytes) have the same digest.
 */
export function filesDigest(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) h.update(p).update('\0').update(files.get(p)!).update('\0');
  return h.digest('hex');
}
