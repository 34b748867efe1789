import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { SynthResult } from '../../lib/internal';
import { tmpDir } from './tmp';

/** Runs a real tool (promtool, amtool); fails the test when it is not installed (CI installs it). */
export function tool(name: string, args: string[], cwd?: string): { status: number; out: string; stdout: string } {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${name} is not installed: .ci/run installs it (Debian packages prometheus and prometheus-alertmanager)`);
  const r = spawnSync(name, args, { encoding: 'utf8', cwd });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/**
 * `promtool test rules` on unit tests written as `tests.yaml` in `dir` beside the rule files (evaluation interval
 * 1m); returns promtool's status and output.
 */
export function promtoolTestRules(dir: string, ruleFiles: ReadonlyArray<string>, tests: unknown[]): { status: number; out: string } {
  fs.writeFileSync(path.join(dir, 'tests.yaml'), stringify({ rule_files: ruleFiles, evaluation_interval: '1m', tests }, { lineWidth: 0 }));
  return tool('promtool', ['test', 'rules', 'tests.yaml'], dir);
}

/** Writes the data entries of a ConfigMap in the output into a fresh folder; returns the folder. */
export function configMapFiles(result: SynthResult, file: string): string {
  const cm = parse(result.files.get(file)!);
  const dir = tmpDir('edgewatt-cm-');
  for (const [k, v] of Object.entries(cm.data as Record<string, string>)) fs.writeFileSync(path.join(dir, k), v);
  return dir;
}

/** A copy of prometheus.yml with Kubernetes service discovery swapped for a static target (Debian's promtool has it compiled out). */
export function withStaticTargets(promYml: string): string {
  const c = parse(promYml);
  for (const s of c.scrape_configs) {
    if (s.kubernetes_sd_configs) {
      delete s.kubernetes_sd_configs;
      s.static_configs = [{ targets: ['127.0.0.1:9'] }];
    }
  }
  return stringify(c);
}

export { execFileSync };
