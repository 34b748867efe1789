import * as path from 'path';
import { parse } from 'yaml';
import { Problem } from '../core/errors';
import { readRegularFile } from '../synth/tree';
import { CONTENT_DIGEST_ANNOTATION, ClusterChart } from './chart';

/** The next patch version of a semantic version (`1.4.0` → `1.4.1`; a pre-release drops its tag: `1.4.0-rc.1` → `1.4.0`). */
export function nextPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(-[^+]*)?/.exec(version);
  if (!m) return version;
  return m[4] ? `${m[1]}.${m[2]}.${m[3]}` : `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

/**
 * Charts are versioned like packages: a chart whose content digest differs from the one its Chart.yaml on disk
 * records must carry a new version, so Argo CD's history names a different chart version for each content and a
 * rollback is a revert to an earlier version. Returns one problem per chart whose content changed while its
 * version stayed, naming the chart, both digests and the fix. A chart not on disk yet (or whose Chart.yaml holds
 * no digest) is new: no problem.
 */
export function chartVersionProblems(charts: ReadonlyArray<ClusterChart>, outdir: string): Problem[] {
  const out: Problem[] = [];
  for (const c of charts) {
    const file = path.join(outdir, c.dir, 'Chart.yaml');
    let bytes: Buffer | string;
    try {
      bytes = readRegularFile(file);
    } catch {
      continue; // not written yet
    }
    if (typeof bytes === 'string') continue; // not a regular file: the writer reports it
    let disk: { version?: unknown; annotations?: Record<string, unknown> } | undefined;
    try {
      disk = parse(bytes.toString('utf8'));
    } catch {
      continue; // not YAML: the writer replaces it (or refuses it as not generated)
    }
    const before = disk?.annotations?.[CONTENT_DIGEST_ANNOTATION];
    if (typeof before !== 'string' || before === c.digest || String(disk?.version) !== c.version) continue;
    out.push({
      path: file,
      message: `chart ${c.name} ${c.version}: its content changed (digest ${before} → ${c.digest}) but its version did not: raise helm.version in the stack (for example to ${nextPatch(c.version)}) and synth again`,
    });
  }
  return out;
}
