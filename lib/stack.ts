import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { formatProblem, Problem, ProblemsError, SpecError } from './core/errors';
import { OutputFormat, SchemaLocations } from './api/functions';
import { chartVersionProblems, outputFormatProblem, synthesizeHelm } from './helm';
import { StackProps, StackSpec } from './api/stack-props';
import { parseStack, sealParsed } from './spec/parse';
import { StackInput } from './spec/stack';
import { writeAppOutput } from './synth/app-output';
import { resolveStack } from './synth/resolve-all';
import { defaultBootstrapDir, defaultCacheDir, synthesize } from './synth/synthesize';

/** Props of EdgewattStack: the stack (the shape of stack.yaml) and where its gates and bootstrap go. */
export interface EdgewattStackProps extends StackProps {
  /**
   * Schemas for the strict schema gate.
   * @default - `$EDGEWATT_K8S_OPENAPI` and `$EDGEWATT_CRDS` (":"-separated) as `edgewatt synth` reads them;
   * without them the schema gate is skipped and the other gates still run
   */
  readonly schemas?: SchemaLocations;
  /** Folder of the Argo CD bootstrap (AppProject, root Applications). @default - `argocd` beside the app's outdir, as `edgewatt synth` writes it */
  readonly bootstrapDir?: string;
  /**
   * `plain`: `<outdir>/<cluster>/<component>/…`; `helm`: one Helm chart per cluster in `<outdir>/<cluster>/chart/`
   * with the Argo CD Applications that install it, as `edgewatt synth --format helm` writes it; a chart whose
   * content changed while its version (the stack's `helm.version`) stayed fails `app.synth()`, naming the chart.
   * @default plain
   */
  readonly format?: OutputFormat;
}

/** What a passed synth writes: the output folder's files and the bootstrap. */
interface Written {
  readonly files: ReadonlyMap<string, string>;
  readonly bootstrap: ReadonlyMap<string, string>;
}

/** The stacks whose construction ended: one whose props threw stays in the tree but writes nothing, so it is no clash. */
const BUILT = new WeakSet<object>();

/** Each App's stack (one per App), written when the App's synth ends. */
const WRITERS = new WeakMap<App, { readonly forget: () => void; readonly write: () => void }>();
let hooked = false;

/**
 * Makes cdk8s's App.synth write an App's stack at its end, once cdk8s validated every construct (the stack's gates
 * among them) and wrote its own charts: patched on App.prototype once, so an App subclass whose synth calls
 * super.synth() finds the stack's files there when that call returns; Apps without a stack are not touched. What
 * an earlier validation (app.synthYaml()) kept is forgotten first, so only this synth's validation is written.
 */
function hookAppSynth(): void {
  if (hooked) return;
  hooked = true;
  const synth = App.prototype.synth;
  App.prototype.synth = function (this: App): void {
    const stack = WRITERS.get(this);
    stack?.forget();
    synth.call(this);
    stack?.write();
  };
}

/**
 * The whole stack as a construct in your own cdk8s app. The props are checked at once: a bad stack throws a
 * SpecError naming every problem (schema and cross-reference: a cluster that is not there, a reserved namespace),
 * after the construct path. At `app.synth()` it runs the same synthesizer and gates as `edgewatt synth` (schemas,
 * policy, wiring, flows, PromQL) as cdk8s's validation of this construct, so a failing gate fails `app.synth()` with
 * one error listing every problem with its construct path, with the other constructs' problems; when every
 * construct passed and cdk8s wrote its charts, it writes the same files as `edgewatt synth`:
 * `<outdir>/<cluster>/<component>/…`, RUNBOOKS.md and the generated READMEs, the Argo CD Applications, and the
 * bootstrap beside the outdir (lib/synth/app-output.ts: the cluster folders and the bootstrap in one transaction;
 * what an earlier synth of the stack wrote and this one does not give is removed). `app.synthYaml()` and a chart's
 * own synth (`Testing.synth`) run the gates and write nothing.
 */
export class EdgewattStack extends Construct {
  /** The stack after parsing, with every default applied (frozen: what `app.synth()` synthesizes). */
  public readonly spec: StackSpec;
  private readonly schemas?: SchemaLocations;
  private readonly bootstrapDir?: string;
  private readonly format: OutputFormat;
  /** The last validation's synth, written by the App's synth once every construct passed. */
  private passed?: { readonly outdir: string; readonly result: Written };

  constructor(scope: Construct, id: string, props: EdgewattStackProps) {
    super(scope, id);
    // A second stack would write the same outdir and bootstrap folder, each cluster folder and top-level file over
    // the first's (the bootstrap, FLOWS.json and RUNBOOKS.md even for other clusters).
    const other = this.node.root.node.findAll().find((c) => c !== this && c instanceof EdgewattStack && BUILT.has(c));
    if (other !== undefined) {
      throw new SpecError([
        {
          path: this.node.path,
          message: `is a second EdgewattStack in this App, beside ${other.node.path}: both would write the App's outdir and the Argo CD bootstrap, the second over the first; put every cluster in one stack, or give each stack an App of its own with its own outdir and bootstrapDir`,
        },
      ]);
    }
    // Props left out (plain JavaScript) are an empty stack, whose problems parseStack names.
    const { schemas, bootstrapDir, format, ...stack } = props ?? ({} as EdgewattStackProps);
    const input = stack as StackInput;
    this.schemas = schemas ?? schemasFromEnv();
    this.bootstrapDir = bootstrapDir;
    const misuse = propsProblems(schemas, bootstrapDir, format);
    this.format = format === 'helm' ? 'helm' : 'plain';
    try {
      // Every problem at once, as `edgewatt synth` names them: the schema's, and the cross-references of the parts
      // that pass it (resolveStack).
      let spec: ReturnType<typeof parseStack> | undefined;
      resolveStack(input, (i) => (spec = parseStack(i)));
      // Sealed (frozen, lib/spec/parse.ts sealParsed): the synth reads this snapshot, so props changed after
      // construction change nothing (the parse made new objects: nothing of the props is frozen).
      this.spec = sealParsed(spec!) as unknown as StackSpec;
    } catch (e) {
      if (e instanceof SpecError) throw this.located([...e.problems, ...misuse], e.heading);
      throw e;
    }
    if (misuse.length > 0) throw this.located(misuse, 'invalid props');
    this.node.addValidation({ validate: () => this.check() });
    const root = this.node.root;
    if (root instanceof App) {
      hookAppSynth();
      WRITERS.set(root, { forget: () => this.forget(), write: () => this.write(root.outdir) });
    }
    BUILT.add(this);
  }

  /** The synth cdk8s runs as this construct's validation: its problems as lines (kept for the write when none). */
  private check(): string[] {
    const root = this.node.root;
    const outdir = root instanceof App ? root.outdir : 'dist';
    this.passed = undefined;
    let result: Written;
    try {
      const options = { outLabel: outdir, validation: { schemas: this.schemas } };
      if (this.format === 'helm') {
        const tree = synthesizeHelm(this.spec as unknown as StackInput, options);
        // A chart whose content changed under the same version fails here, with cdk8s's validation, before any write.
        const versions = chartVersionProblems(tree.charts, outdir);
        if (versions.length > 0) return versions.map((p) => `${this.node.path}: ValidationError: ${formatProblem(p)}`);
        result = tree;
      } else result = synthesize(this.spec as unknown as StackInput, options);
    } catch (e) {
      if (e instanceof ProblemsError) return e.problems.map((p) => `${this.constructPathOf(p, outdir)}: ${e.name}: ${formatProblem(p)}`);
      throw e;
    }
    this.passed = { outdir, result };
    // Outside an App (no synth to follow), as before: written here.
    if (!(root instanceof App)) return this.writeLines(outdir);
    return [];
  }

  /** Forgets the last validation's synth (before cdk8s's synth validates again). */
  private forget(): void {
    this.passed = undefined;
  }

  /** Writes the last passed synth into `outdir` (and the bootstrap); a refusal throws a SpecError with this construct's path. */
  private write(outdir: string): void {
    const passed = this.passed?.outdir === outdir ? this.passed : undefined;
    if (passed === undefined) return;
    this.passed = undefined;
    try {
      writeAppOutput(
        { outdir, bootstrapDir: this.bootstrapDir ?? defaultBootstrapDir(outdir), stackName: this.spec.name, recordDir: defaultCacheDir(outdir) },
        passed.result.files,
        passed.result.bootstrap,
      );
    } catch (e) {
      if (e instanceof SpecError) throw this.located(e.problems, e.heading);
      throw e;
    }
  }

  /** A SpecError of `problems`, each located at this construct's path unless it has a location of its own. */
  private located(problems: ReadonlyArray<Problem>, heading?: string): SpecError {
    return new SpecError(problems.map((p) => ({ ...p, location: p.location ?? this.node.path })), heading);
  }

  /** write, with a refusal as problem lines (for a validation outside an App). */
  private writeLines(outdir: string): string[] {
    try {
      this.write(outdir);
    } catch (e) {
      if (e instanceof ProblemsError) return e.problems.map((p) => `${this.node.path}: ${formatProblem(p)}`);
      throw e;
    }
    return [];
  }

  /** `<stack path>/<cluster>-<component>`, the chart a file comes from, or the stack's own path. */
  private constructPathOf(p: Problem, outdir: string): string {
    const rel = p.path.startsWith(`${outdir}/`) ? p.path.slice(outdir.length + 1) : p.path;
    const m = /^([a-z0-9-]+)\/([a-z0-9-]+)\/[^/:]+:/.exec(rel);
    return m ? `${this.node.path}/${m[1]}-${m[2]}` : this.node.path;
  }
}

/** Problems of the props that are not the stack (plain JavaScript can pass anything). */
function propsProblems(schemas: unknown, bootstrapDir: unknown, format: unknown): Problem[] {
  const out: Problem[] = [];
  const badFormat = outputFormatProblem(format);
  if (badFormat) out.push(badFormat);
  if (bootstrapDir !== undefined && (typeof bootstrapDir !== 'string' || bootstrapDir === '')) out.push({ path: 'bootstrapDir', message: 'must be a folder path (a string), such as "argocd"' });
  if (schemas === undefined) return out;
  const s = schemas as { k8sOpenApi?: unknown; crds?: unknown };
  if (typeof schemas !== 'object' || schemas === null) return [...out, { path: 'schemas', message: 'must be { k8sOpenApi: <file>, crds?: [<file or folder>, …] }' }];
  if (typeof s.k8sOpenApi !== 'string' || s.k8sOpenApi === '') out.push({ path: 'schemas.k8sOpenApi', message: 'must be the path of the Kubernetes OpenAPI v2 document (`kubectl get --raw /openapi/v2 > k8s-openapi.json`)' });
  if (s.crds !== undefined && (!Array.isArray(s.crds) || s.crds.some((c) => typeof c !== 'string' || c === ''))) out.push({ path: 'schemas.crds', message: 'must be a list of CRD file or folder paths (["crds"], not "crds")' });
  return out;
}

function schemasFromEnv(): SchemaLocations | undefined {
  const k8sOpenApi = process.env.EDGEWATT_K8S_OPENAPI;
  if (!k8sOpenApi) return undefined;
  const crds = (process.env.EDGEWATT_CRDS ?? '').split(':').filter((s) => s !== '');
  return { k8sOpenApi, crds };
}
