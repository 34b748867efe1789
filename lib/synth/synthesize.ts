import * as fs from 'fs';
import { Problem, SpecError, ValidationError } from '../core/errors';
import { resolveModel, StackModel } from '../model';
import { parseStack, parseStackYaml } from '../spec/parse';
import { StackInput } from '../spec/stack';
import { Manifest } from './kube-object';
import { documents } from './documents';
import { synthesizeManifests } from './manifests';
import { findingsToProblems, validateEntries, ValidateOptions } from '../validate/validate';
import { knownMetrics } from '../monitoring/catalogs';
import { FileMap, placeObjects, renderFiles } from './layout';
import { diffTree, readTree, TreeDiff } from './tree';
import { recoverTree, writeTree, WriteResult } from './writer';

/** A check over all synthesized manifests; returns problems, or none. */
export type ManifestCheck = (manifests: ReadonlyArray<Manifest>, model: StackModel) => ReadonlyArray<Problem>;

/** Options of synthesize. */
export interface SynthOptions {
  /** More checks run on the manifests before any file is produced; any problem fails the synth. @default - none */
  readonly checks?: ReadonlyArray<ManifestCheck>;
  /**
   * The validation gates (schema, policy, wiring, PromQL), always run; any finding fails the synth.
   * @default - no schemas: the strict schema check is skipped, the other gates run
   */
  readonly validation?: ValidateOptions;
  /** How the output folder is named in messages. @default dist */
  readonly outLabel?: string;
}

/** Everything a synth produced, in memory. */
export interface SynthResult {
  readonly model: StackModel;
  readonly manifests: ReadonlyArray<Manifest>;
  /** Files relative to the output folder, sorted by path. */
  readonly files: FileMap;
}

/**
 * Stack in, files out, in memory: parse (when given plain data), resolve, build charts, check, lay out.
 * Throws SpecError for a bad stack and ValidationError when a check fails.
 */
export function synthesize(stack: StackInput, options: SynthOptions = {}): SynthResult {
  const model = resolveModel(parseStack(stack));
  const manifests = synthesizeManifests(model);
  const placed = placeObjects(manifests);
  const label = options.outLabel ?? 'dist';
  const findings = validateEntries(
    placed.map((p) => ({ file: `${label}/${p.path}`, cluster: p.cluster, object: p.object })),
    { metrics: knownMetrics(model), ...options.validation },
  );
  const problems = [...findingsToProblems(findings), ...(options.checks ?? []).flatMap((check) => check(manifests, model))];
  if (problems.length > 0) throw new ValidationError(problems);
  const files = renderFiles(model.name, placed);
  for (const [path, text] of documents(model)) files.set(path, text);
  return { model, manifests, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** Reads and parses a stack.yaml file; a missing or unreadable file is a SpecError. */
export function loadStackFile(file: string): StackInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError([{ path: file, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass the stack with -c <file>` }]);
  }
  return parseStackYaml(text, { fileName: file }) as StackInput;
}

/** Synthesizes `stack` into `outdir` atomically; on any failure `outdir` is left exactly as it was. */
export function synthToDir(stack: StackInput, outdir: string, options: SynthOptions = {}): SynthResult & { write: WriteResult } {
  const result = synthesize(stack, { outLabel: outdir, ...options });
  return { ...result, write: writeTree(outdir, result.files) };
}

/** Compares `outdir` with a fresh synth of `stack` without writing anything (except crash recovery). */
export function checkDir(stack: StackInput, outdir: string, options: SynthOptions = {}): TreeDiff {
  const result = synthesize(stack, { outLabel: outdir, ...options });
  recoverTree(outdir);
  return diffTree(readTree(outdir), result.files);
}
