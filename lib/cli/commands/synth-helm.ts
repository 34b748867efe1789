import * as path from 'path';
import { counted } from '../../core/names';
import { checkChartVersions, helmTargets, synthesizeHelm, writeHelm } from '../../helm';
import { StackInput } from '../../spec/stack';
import { defaultBootstrapDir, diffTree, readTree, recoverTree, resolveOutDir, SynthOptions, WriteOptions } from '../../synth';
import { CliExit, CliIO, EXIT } from '../io';
import { CheckFailed, OutputFormat } from '../json';
import { checkMessage, CheckKind, checkPatch } from './check-diff';

/** What `synth --format helm` needs from the synth command's flags. */
export interface HelmSynthFlags {
  readonly config: string;
  readonly out: string;
  readonly argocdOut?: string;
  readonly check?: boolean;
  readonly output: OutputFormat;
}

/**
 * `edgewatt synth --format helm`: the stack as one Helm chart per cluster (lib/helm). Writes (or, with --check,
 * compares) the output folder and the bootstrap like the plain format; both fail, naming the chart, when a
 * chart's content changed but its version did not (chartVersionProblems).
 */
export function synthHelm(io: CliIO, flags: HelmSynthFlags, stack: StackInput, options: SynthOptions & WriteOptions, fix: string): Record<string, unknown> {
  const tree = synthesizeHelm(stack, { ...options, outLabel: flags.out });
  const bootstrapDir = flags.argocdOut ?? defaultBootstrapDir(flags.out);
  const targets = helmTargets(tree, flags.out, bootstrapDir);
  if (flags.check) {
    for (const t of targets) recoverTree(t.dir);
    checkChartVersions(tree.charts, flags.out);
  }
  const charts = tree.charts.map((c) => ({ name: c.name, version: c.version, digest: c.digest, objects: c.objects }));
  if (flags.check) {
    const shown = (dir: string, f: string) => path.relative(process.cwd(), path.resolve(dir, f)).split(path.sep).join('/');
    const all = targets.flatMap((t) => {
      const actual = readTree(resolveOutDir(t.dir), t.dir);
      const d = diffTree(actual, t.files);
      const entry = (f: string, what: CheckKind) => ({ f: shown(t.dir, f), what, before: actual.get(f)?.toString('utf8') ?? '', after: t.files.get(f) ?? '' });
      return [...d.missing.map((f) => entry(f, 'missing')), ...d.changed.map((f) => entry(f, 'changed')), ...d.stale.map((f) => entry(f, 'stale'))];
    }).sort((a, b) => (a.f < b.f ? -1 : 1));
    if (all.length === 0) {
      if (flags.output === 'text') io.out(`${flags.out} is up to date with ${flags.config} (${counted(charts.length, 'Helm chart')})\n`);
      return { differences: [], charts };
    }
    if (flags.output === 'text') {
      io.err(`${flags.out} is not what ${flags.config} gives as Helm charts (${all.length} ${all.length === 1 ? 'file differs' : 'files differ'}); to fix, run:\n  ${fix}\nand commit the result.\n`);
      io.err(`${all.map((d) => `  ${d.what.padEnd(8)} ${d.f}`).join('\n')}\n`);
      // A unified diff of each on stdout, as the plain format gives.
      for (const d of all) io.out(checkPatch(d.what, d.f, d.before, d.after));
      throw new CliExit(EXIT.checkFailed);
    }
    throw new CheckFailed(all.map((d) => ({ path: d.f, message: checkMessage(d.what, flags.out) })), fix, { differences: all.map((d) => ({ path: d.f, kind: d.what })), charts });
  }
  const [write, bootstrapWrite] = writeHelm(tree, flags.out, bootstrapDir, options);
  const written = write.missing.length + write.changed.length;
  const out = { written, unchanged: write.unchanged, removed: write.stale.length, files: tree.files.size, charts };
  if (flags.output === 'json') return out;
  io.out(`synthesized ${counted(charts.length, 'Helm chart')}${charts.length > 0 ? ` (${charts.map((c) => `${c.name} ${c.version}`).join(', ')})` : ''} into ${tree.files.size} files in ${flags.out}: ${written} written, ${write.unchanged} unchanged, ${write.stale.length} removed\n`);
  if (bootstrapWrite) io.out(`Argo CD bootstrap: ${tree.bootstrap.size} files in ${flags.argocdOut ?? 'argocd beside ' + flags.out}: ${bootstrapWrite.missing.length + bootstrapWrite.changed.length} written, ${bootstrapWrite.unchanged} unchanged, ${bootstrapWrite.stale.length} removed\n`);
  return out;
}
