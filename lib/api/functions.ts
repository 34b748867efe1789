import { stackJsonSchema as contractJsonSchema } from '../spec/json-schema';
import { defineStack as contractDefineStack, parseStack as contractParseStack, parseStackYaml as contractParseStackYaml } from '../spec/parse';
import { SpecError } from '../core/errors';
import { ClusterChart, HelmTree, outputFormatProblem, synthesizeHelm, writeHelm } from '../helm';
import { StackInput } from '../spec/stack';
import { defaultBootstrapDir, synthesize as synthesizeStack, synthToDir as synthesizeToDir } from '../synth/synthesize';
import { StackProps, StackSpec } from './stack-props';

/**
 * The public functions of the package. Their signatures use only the plain interfaces of ./stack-props (never
 * zod's types or the internal model), so a user's project compiles them under any strict tsconfig.
 * test/api/props.test.ts proves StackProps/StackSpec equal zod's input/output types, which makes the
 * conversions below exact.
 */

/** Where the strict schema gate finds its schemas (as kubeconform takes schema locations). */
export interface SchemaLocations {
  /** Path of the Kubernetes OpenAPI v2 document (`kubectl get --raw /openapi/v2 > k8s-openapi.json`). */
  readonly k8sOpenApi: string;
  /**
   * CRD files or folders of CRD YAML files, for the custom resources edgewatt emits.
   * @default - none: a custom resource without its CRD is reported
   */
  readonly crds?: ReadonlyArray<string>;
}

/** How the stack is packaged: plain Kubernetes YAML per cluster and component, or one Helm chart per cluster. */
export type OutputFormat = 'plain' | 'helm';

/** Options of synthesize and synthToDir. */
export interface SynthesizeOptions {
  /**
   * Schemas for the strict schema gate; the other gates (policy, wiring, flows, PromQL) always run.
   * @default - the schema gate is skipped
   */
  readonly schemas?: SchemaLocations;
  /**
   * `plain`: `<cluster>/<component>/<kind>-<name>.yaml`; `helm`: one Helm chart per cluster in `<cluster>/chart/`
   * with the Argo CD Applications that install it, versioned by the stack's `helm` section, exactly as
   * `edgewatt synth --format helm` writes it (README, Helm).
   * @default plain
   */
  readonly format?: OutputFormat;
}

/** One cluster's Helm chart (format `helm`). */
export interface HelmChartInfo {
  readonly cluster: string;
  /** `<stack>-<cluster>`. */
  readonly name: string;
  readonly version: string;
  /** `sha256:<hex>` over every file of the chart but Chart.yaml (Chart.yaml's `edgewatt.io/content-digest`). */
  readonly digest: string;
  /** How many objects its templates (and crds/) hold. */
  readonly objects: number;
}

/** What a synth produced, in memory. */
export interface Synthesis {
  /**
   * Files relative to the output folder, sorted by path: `<cluster>/<component>/<kind>-<name>.yaml`, RUNBOOKS.md,
   * READMEs (format `plain`); `<cluster>/chart/…` and `<cluster>/argocd/…` beside the same top-level documents
   * (format `helm`).
   */
  readonly files: ReadonlyMap<string, string>;
  /** The Argo CD bootstrap (AppProject, root Applications), relative to its own folder; empty without `gitops`. */
  readonly bootstrap: ReadonlyMap<string, string>;
  /** Each cluster's chart, by cluster name. @default - undefined with format `plain` */
  readonly charts?: ReadonlyArray<HelmChartInfo>;
}

/** The format option checked (plain JavaScript may pass anything): a SpecError naming the choices. */
function outputFormat(format: OutputFormat | undefined): OutputFormat {
  const problem = outputFormatProblem(format);
  if (problem) throw new SpecError([problem], 'invalid options');
  return format ?? 'plain';
}

/** A Helm tree as the public Synthesis. */
function helmSynthesis(tree: HelmTree): Synthesis {
  const info = (c: ClusterChart): HelmChartInfo => ({ cluster: c.cluster, name: c.name, version: c.version, digest: c.digest, objects: c.objects });
  return { files: tree.files, bootstrap: tree.bootstrap, charts: tree.charts.map(info) };
}

/** Options of synthToDir. */
export interface SynthToDirOptions extends SynthesizeOptions {
  /** Folder of the Argo CD bootstrap. @default - `argocd` beside `outdir` */
  readonly bootstrapDir?: string;
  /**
   * Folder of the caches that make a re-synth into the same `outdir` fast (charts, validation verdicts, renders, the
   * file index), as `edgewatt synth` keeps in `.edgewatt.cache/<out>/` beside the output folder; never inside
   * `outdir`, which is replaced whole. A cached verdict is used only for an object of the same content digest.
   * Format `plain` only (`edgewatt synth --format helm` keeps none either): with format `helm` it is an error.
   * @default - none: every chart built, object checked and file rendered anew
   */
  readonly validationCache?: string;
}

/**
 * Stack in, files out, in memory: validates the stack, builds every chart, runs every gate and lays the files
 * out exactly as `edgewatt synth` writes them. Throws SpecError for a bad stack and ValidationError when a gate
 * fails, each listing every problem.
 */
export function synthesize(stack: StackProps, options: SynthesizeOptions = {}): Synthesis {
  if (outputFormat(options.format) === 'helm') return helmSynthesis(synthesizeHelm(stack as StackInput, { validation: { schemas: options.schemas } }));
  const r = synthesizeStack(stack as StackInput, { validation: { schemas: options.schemas } });
  return { files: r.files, bootstrap: r.bootstrap };
}

/**
 * synthesize, then writes the files into `outdir` (and the bootstrap into `bootstrapDir`), each folder
 * atomically; on any failure nothing is written. Refuses to replace a folder holding files it did not generate.
 * With format `helm`, a chart in `outdir` whose content changes while its version stays is a ValidationError naming
 * the chart and the version to raise (the stack's `helm.version`), before anything is written.
 */
export function synthToDir(stack: StackProps, outdir: string, options: SynthToDirOptions = {}): Synthesis {
  if (outputFormat(options.format) === 'helm') {
    // Refused rather than ignored: the caches serve the plain format's re-synths only.
    if (options.validationCache !== undefined) throw new SpecError([{ path: 'validationCache', message: "is for format 'plain': format 'helm' keeps no caches (as `edgewatt synth --format helm`); leave it out" }], 'invalid options');
    const tree = synthesizeHelm(stack as StackInput, { validation: { schemas: options.schemas }, outLabel: outdir });
    writeHelm(tree, outdir, options.bootstrapDir ?? defaultBootstrapDir(outdir));
    return helmSynthesis(tree);
  }
  const r = synthesizeToDir(stack as StackInput, outdir, { validation: { schemas: options.schemas }, bootstrapDir: options.bootstrapDir, validationCache: options.validationCache });
  return { files: r.files, bootstrap: r.bootstrap };
}

/** Validates a stack given as plain data and applies defaults; throws a SpecError naming every problem. */
export function parseStack(input: unknown): StackSpec {
  return contractParseStack(input) as StackSpec;
}

/** Options of parseStackYaml. */
export interface ParseStackYamlOptions {
  /** File name used in the locations of problems. @default stack.yaml */
  readonly fileName?: string;
}

/**
 * Parses stack.yaml text (duplicate keys rejected, size and aliases bounded), then validates it like
 * parseStack; problems carry `file:line:column` locations.
 */
export function parseStackYaml(text: string, options: ParseStackYamlOptions = {}): StackSpec {
  return contractParseStackYaml(text, options) as StackSpec;
}

/** Type-checks TypeScript props against the contract (editor completion and docs); returns them unchanged. */
export function defineStack(props: StackProps): StackProps {
  return contractDefineStack(props as StackInput) as StackProps;
}

/** The JSON Schema (draft-07) of stack.yaml, for editors. */
export function stackJsonSchema(): Record<string, unknown> {
  return contractJsonSchema();
}
