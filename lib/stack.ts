import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { formatProblem, Problem, ProblemsError, SpecError } from './core/errors';
import { SchemaLocations } from './api/functions';
import { StackProps, StackSpec } from './api/stack-props';
import { parseStack } from './spec/parse';
import { StackInput } from './spec/stack';
import { defaultBootstrapDir, synthesize } from './synth/synthesize';
import { GENERATED_PREFIX } from './synth/serialize';
import { writeTree } from './synth/writer';

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
}

/** The stacks whose construction ended: one whose props threw stays in the tree but writes nothing, so it is no clash. */
const BUILT = new WeakSet<object>();

/**
 * The whole stack as a construct in your own cdk8s app. The props are validated at once (a bad stack throws a
 * SpecError naming every problem, after the construct path). At `app.synth()` — through cdk8s's validation
 * hook, with no extra call — it runs the same synthesizer and gates as `edgewatt synth` (schemas, policy,
 * wiring, flows, PromQL) and, when they pass, writes the same files: `<outdir>/<cluster>/<component>/…`,
 * RUNBOOKS.md and the generated READMEs, the Argo CD Applications, and the bootstrap beside the outdir.
 * Any failure fails `app.synth()` with one error listing every problem with its construct path.
 */
export class EdgewattStack extends Construct {
  /** The stack after parsing, with every default applied. */
  public readonly spec: StackSpec;
  private readonly input: StackInput;
  private readonly schemas?: SchemaLocations;
  private readonly bootstrapDir?: string;

  constructor(scope: Construct, id: string, props: EdgewattStackProps) {
    super(scope, id);
    // A second stack would write the same outdir and bootstrap folder, each cluster folder and top-level file over
    // the first's (the bootstrap, FLOWS.json and RUNBOOKS.md even for other clusters).
    const other = this.node.root.node.findAll().find((c) => c !== this && c instanceof EdgewattStack && BUILT.has(c));
    if (other !== undefined) {
      throw new SpecError([
        {
          path: this.node.path,
          message: `is a second EdgewattStack in this App, beside ${other.node.path}: both would write the App's outdir and the Argo CD bootstrap, the second over the first; put every cluster in one stack, or give each stack an App of its own with its own outdir`,
        },
      ]);
    }
    // Props left out (plain JavaScript) are an empty stack, whose problems parseStack names.
    const { schemas, bootstrapDir, ...stack } = props ?? ({} as EdgewattStackProps);
    this.input = stack as StackInput;
    this.schemas = schemas ?? schemasFromEnv();
    this.bootstrapDir = bootstrapDir;
    try {
      this.spec = parseStack(this.input) as StackSpec;
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(e.problems.map((p) => ({ ...p, location: p.location ?? this.node.path })));
      throw e;
    }
    this.node.addValidation({ validate: () => this.synthesizeInto(App.of(this)) });
    BUILT.add(this);
  }

  /** The synth cdk8s runs as this construct's validation: problems as lines, or none after writing the files. */
  private synthesizeInto(root: Construct): string[] {
    const outdir = root instanceof App ? root.outdir : 'dist';
    let result: ReturnType<typeof synthesize>;
    try {
      result = synthesize(this.input, { outLabel: outdir, validation: { schemas: this.schemas } });
    } catch (e) {
      if (e instanceof ProblemsError) return e.problems.map((p) => `${this.constructPathOf(p, outdir)}: ${e.name}: ${formatProblem(p)}`);
      throw e;
    }
    try {
      writeOutput(outdir, result.files);
      if (result.bootstrap.size > 0) writeTree(this.bootstrapDir ?? defaultBootstrapDir(outdir), result.bootstrap);
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

/**
 * Writes the synthesized files under `outdir` beside whatever else the app writes there: each cluster folder
 * is replaced whole and atomically (writeTree); top-level documents are written when absent or generated.
 */
function writeOutput(outdir: string, files: ReadonlyMap<string, string>): void {
  const byCluster = new Map<string, Map<string, string>>();
  const top: Array<[string, string]> = [];
  for (const [rel, text] of files) {
    const slash = rel.indexOf('/');
    if (slash < 0) {
      top.push([rel, text]);
      continue;
    }
    const cluster = rel.slice(0, slash);
    if (!byCluster.has(cluster)) byCluster.set(cluster, new Map());
    byCluster.get(cluster)!.set(rel.slice(slash + 1), text);
  }
  fs.mkdirSync(outdir, { recursive: true });
  for (const [cluster, tree] of byCluster) writeTree(path.join(outdir, cluster), tree);
  for (const [rel, text] of top) {
    const file = path.join(outdir, rel);
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (old !== undefined && !old.includes(GENERATED_PREFIX.slice(2))) {
      throw new SpecError([{ path: file, message: 'was not generated by edgewatt: move it out of the app\'s outdir' }]);
    }
    if (old !== text) fs.writeFileSync(file, text);
  }
}

function schemasFromEnv(): SchemaLocations | undefined {
  const k8sOpenApi = process.env.EDGEWATT_K8S_OPENAPI;
  if (!k8sOpenApi) return undefined;
  const crds = (process.env.EDGEWATT_CRDS ?? '').split(':').filter((s) => s !== '');
  return { k8sOpenApi, crds };
}
