import { Problem, ValidationError } from '../core/errors';
import { StackInput } from '../spec/stack';
import { synthesize, SynthOptions } from '../synth/synthesize';
import { TreeTarget, WriteOptions, WriteResult, writeTrees } from '../synth/writer';
import { ClusterChart, helmTree, HelmTree } from './chart';
import { chartVersionProblems } from './version-check';

/** The problem of a `format` option (plain JavaScript may pass anything) that is neither `plain` nor `helm`. */
export function outputFormatProblem(format: unknown): Problem | undefined {
  if (format === undefined || format === 'plain' || format === 'helm') return undefined;
  return { path: 'format', message: `must be "plain" or "helm", not ${JSON.stringify(format)}` };
}

/**
 * The stack as one Helm chart per cluster, in memory: the synth with every gate, then helmTree with the stack's
 * `helm` versions (what `edgewatt synth --format helm` and the library's `format: 'helm'` give).
 */
export function synthesizeHelm(stack: StackInput, options: SynthOptions = {}): HelmTree {
  const result = synthesize(stack, options);
  return helmTree(result, result.model.spec.helm ?? {}, { validation: options.validation, outLabel: options.outLabel });
}

/** The folders a Helm tree is written to: the charts into `outdir`, the bootstrap (when there is one) into `bootstrapDir`. */
export function helmTargets(tree: HelmTree, outdir: string, bootstrapDir: string): TreeTarget[] {
  return [{ dir: outdir, files: tree.files }, ...(tree.bootstrap.size > 0 ? [{ dir: bootstrapDir, files: tree.bootstrap }] : [])];
}

/**
 * Throws a ValidationError naming each chart whose content changed while its version stayed (chartVersionProblems
 * against the charts in `outdir`), before anything is written.
 */
export function checkChartVersions(charts: ReadonlyArray<ClusterChart>, outdir: string): void {
  const versions = chartVersionProblems(charts, outdir);
  if (versions.length > 0) throw new ValidationError(versions);
}

/** checkChartVersions, then writes the charts and the bootstrap in one transaction (writeTrees). */
export function writeHelm(tree: HelmTree, outdir: string, bootstrapDir: string, options: WriteOptions = {}): WriteResult[] {
  checkChartVersions(tree.charts, outdir);
  return writeTrees(helmTargets(tree, outdir, bootstrapDir), options);
}
