import { stackJsonSchema as contractJsonSchema } from '../spec/json-schema';
import { defineStack as contractDefineStack, parseStack as contractParseStack, parseStackYaml as contractParseStackYaml } from '../spec/parse';
import { StackInput } from '../spec/stack';
import { synthesize as synthesizeStack, synthToDir as synthesizeToDir } from '../synth/synthesize';
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

/** Options of synthesize and synthToDir. */
export interface SynthesizeOptions {
  /**
   * Schemas for the strict schema gate; the other gates (policy, wiring, flows, PromQL) always run.
   * @default - the schema gate is skipped
   */
  readonly schemas?: SchemaLocations;
}

/** What a synth produced, in memory. */
export interface Synthesis {
  /** Files relative to the output folder (`<cluster>/<component>/<kind>-<name>.yaml`, RUNBOOKS.md, READMEs), sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  /** The Argo CD bootstrap (AppProject, root Applications), relative to its own folder; empty without `gitops`. */
  readonly bootstrap: ReadonlyMap<string, string>;
}

/** Options of synthToDir. */
export interface SynthToDirOptions extends SynthesizeOptions {
  /** Folder of the Argo CD bootstrap. @default - `argocd` beside `outdir` */
  readonly bootstrapDir?: string;
  /**
   * Folder of the caches that make a re-synth into the same `outdir` fast (charts, validation verdicts, renders, the
   * file index), as `edgewatt synth` keeps in `.edgewatt.cache/<out>/` beside the output folder; never inside
   * `outdir`, which is replaced whole. A cached verdict is used only for an object of the same content digest.
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
  const r = synthesizeStack(stack as StackInput, { validation: { schemas: options.schemas } });
  return { files: r.files, bootstrap: r.bootstrap };
}

/**
 * synthesize, then writes the files into `outdir` (and the bootstrap into `bootstrapDir`), each folder
 * atomically; on any failure nothing is written. Refuses to replace a folder holding files it did not generate.
 */
export function synthToDir(stack: StackProps, outdir: string, options: SynthToDirOptions = {}): Synthesis {
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
