import * as fs from 'fs';
import * as path from 'path';
import { K8S_OPENAPI_PIN_PATH } from '../core/schema-pins';
import { KubeObject } from '../core/kube-object';
import { ValidationError } from '../core/errors';
import { FileMap, placeObjects, renderFiles, PlacedObject } from '../synth/layout';
import { GENERATED_PREFIX, toYaml, yamlBody, yamlHeader } from '../synth/serialize';
import { SynthResult } from '../synth/synthesize';
import { filesDigest } from '../synth/tree';
import { gitopsObjects } from '../gitops/synth';
import { findingsToProblems, validateEntries, ValidateOptions } from '../validate/validate';
import { escapeTemplateText } from './escape';
import { chartApplication } from './argocd';
import { hasToken, substitute, templateValues, valuesSchema } from './values';

/** The annotation of Chart.yaml that records the content digest of the chart. */
export const CONTENT_DIGEST_ANNOTATION = 'edgewatt.io/content-digest';

/** Folder of a cluster's chart in the output: `<cluster>/chart`. */
export function chartDir(cluster: string): string {
  return `${cluster}/chart`;
}

/**
 * The Kubernetes versions the chart admits: the minor version of the OpenAPI document the strict schema gate
 * validates against (lib/core/schema-pins.ts), any patch, pre-release or vendor build of it (`-0` admits
 * `v1.35.2-eks-…`; `+k3s1` build metadata is ignored). Helm checks it against the cluster's version (Argo CD
 * passes `--kube-version`) with Masterminds semver constraint syntax (helm/helm v4.1.4 `pkg/chart/v2/metadata.go`,
 * KubeVersion "a SemVer constraint"; `pkg/action/action.go` fails with "chart requires kubeVersion").
 */
export function kubeVersionRange(pinPath: string = K8S_OPENAPI_PIN_PATH): string {
  const m = /v(\d+)\.(\d+)\.\d+/.exec(pinPath);
  if (!m) throw new Error(`no Kubernetes version in ${pinPath}`);
  return `>=${m[1]}.${m[2]}.0-0 <${m[1]}.${Number(m[2]) + 1}.0-0`;
}

/** One cluster's chart. */
export interface ClusterChart {
  readonly cluster: string;
  /** Chart name: `<stack>-<cluster>`. */
  readonly name: string;
  /** Folder in the output, `<cluster>/chart`. */
  readonly dir: string;
  readonly version: string;
  /** `sha256:<hex>` over every file of the chart but Chart.yaml. */
  readonly digest: string;
  /** Number of objects under templates/ (and crds/). */
  readonly objects: number;
}

/** The output of `synth --format helm`. */
export interface HelmTree {
  /** Files relative to the output folder, sorted. */
  readonly files: FileMap;
  /** The Argo CD bootstrap (unchanged: the root Applications read `<cluster>/argocd`). */
  readonly bootstrap: FileMap;
  readonly charts: ReadonlyArray<ClusterChart>;
}

/** Options of helmTree. */
export interface HelmTreeOptions {
  /** Validation of the regenerated Argo CD objects (the strict schema gate with the Argo CD CRD). @default - the checks without schemas */
  readonly validation?: ValidateOptions;
  /** How the output folder is named in messages. @default dist */
  readonly outLabel?: string;
}

/**
 * A template file of one object: its YAML (exactly as the plain tree has it) with every literal `{{` escaped
 * and the values' tokens replaced by their actions. Guarded: the tokens, rendered with the default values, must
 * give back the plain file byte for byte, else the object is not templated at all (escaped only).
 */
function templateFile(plain: string, templated: KubeObject, header: string, subs: Parameters<typeof substitute>[1]): string {
  const marked = toYaml(templated, header);
  if (hasToken(plain) || substitute(marked, subs, (s) => s.rendered) !== plain) return escapeTemplateText(plain);
  return substitute(escapeTemplateText(marked), subs, (s) => s.action);
}

/**
 * The stack as one Helm chart per cluster, from an in-memory synth: `<cluster>/chart/` holds Chart.yaml,
 * values.yaml, values.schema.json, templates/<component>/<file> (the objects of the plain tree, same names),
 * crds/ (CustomResourceDefinitions the stack owns: none today, every CRD comes from an upstream Application)
 * and docs/<component>/ (the plain tree's non-object files, such as README.md). `<cluster>/argocd/` holds the
 * upstream Applications and one Application for the chart (see chartApplication); files outside the cluster
 * folders (FLOWS.json, FLOWS.md, RUNBOOKS.md) and the bootstrap are those of the plain tree.
 */
export function helmTree(result: SynthResult, version: { version?: string; appVersion?: string } = {}, options: HelmTreeOptions = {}): HelmTree {
  const model = result.model;
  const header = yamlHeader(model.name);
  const clusters = new Set(model.clusters.map((c) => c.name));
  const placed = placeObjects(result.manifests);
  const byPath = new Map(placed.map((p) => [p.path, p]));
  const files: FileMap = new Map();
  const perCluster = new Map<string, { objects: PlacedObject[]; docs: Array<[string, string]> }>();
  for (const c of [...clusters].sort()) perCluster.set(c, { objects: [], docs: [] });
  for (const [path, text] of result.files) {
    const [first, second] = path.split('/');
    const slot = perCluster.get(first);
    if (!slot || path.indexOf('/') < 0) files.set(path, text); // FLOWS.json, FLOWS.md, RUNBOOKS.md
    else if (second === 'argocd') continue; // regenerated below
    else if (byPath.has(path)) slot.objects.push(byPath.get(path)!);
    else slot.docs.push([path.slice(first.length + 1), text]);
  }
  const charts: ClusterChart[] = [];
  for (const [cluster, slot] of perCluster) {
    if (slot.objects.length === 0) continue;
    const dir = chartDir(cluster);
    const chartFiles: FileMap = new Map();
    const t = templateValues(slot.objects.map((p) => p.object));
    slot.objects.forEach((p, i) => {
      const plain = result.files.get(p.path)!;
      const rest = p.path.slice(cluster.length + 1);
      // Helm installs crds/ as they are, never templated (helm/helm v4.1.4 `pkg/chart/v2/chart.go`, CRDObjects).
      if (p.object.kind === 'CustomResourceDefinition') chartFiles.set(`crds/${rest.replace(/\//g, '_')}`, plain);
      else chartFiles.set(`templates/${rest}`, templateFile(plain, t.objects[i], header, t.substitutions));
    });
    for (const [rest, text] of slot.docs) chartFiles.set(`docs/${rest}`, text);
    chartFiles.set('values.yaml', valuesYaml(header, t.values));
    chartFiles.set('values.schema.json', `${JSON.stringify(valuesSchema(t.values, `${GENERATED_PREFIX.slice(2)} from stack "${model.name}". Do not edit: change the stack and run \`edgewatt synth --format helm\`.`), null, 2)}\n`);
    const digest = `sha256:${filesDigest(chartFiles)}`;
    const v = version.version ?? `0.0.0-sha-${digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
    const name = `${model.name}-${cluster}`;
    chartFiles.set('Chart.yaml', toYaml(chartYaml(name, v, version.appVersion ?? v, cluster, model.name, digest), header));
    for (const [f, text] of chartFiles) files.set(`${dir}/${f}`, text);
    charts.push({ cluster, name, dir, version: v, digest, objects: slot.objects.length });
  }
  const argo = argocdFiles(result, charts, options);
  for (const [p, text] of argo) files.set(p, text);
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), bootstrap: result.bootstrap, charts };
}

/**
 * Chart.yaml, chart API v2 (helm/helm v4.1.4 `pkg/chart/v2/metadata.go`: apiVersion, name, version — SemVer 2,
 * appVersion, kubeVersion — a SemVer constraint, description, type `application`, annotations).
 */
function chartYaml(name: string, version: string, appVersion: string, cluster: string, stack: string, digest: string): Record<string, unknown> {
  return {
    apiVersion: 'v2',
    name,
    version,
    appVersion,
    kubeVersion: kubeVersionRange(),
    description: `edgewatt stack ${stack}, cluster ${cluster}: every object edgewatt synthesizes for the cluster.`,
    type: 'application',
    annotations: { [CONTENT_DIGEST_ANNOTATION]: digest },
  };
}

function valuesYaml(header: string, values: ReturnType<typeof templateValues>['values']): string {
  return [
    header,
    '# Values that differ per install. The defaults render exactly the objects of `edgewatt synth` (the plain tree).',
    '# imageRegistry: a pull-through registry mirror; every container image of the cluster becomes <imageRegistry>/<image>.',
    yamlBody({ imageRegistry: values.imageRegistry }).trimEnd(),
    '# storage: size of each persistent volume claim, by claim (a StatefulSet claim template as <template>-<statefulset>).',
    '# StatefulSet claim templates cannot change once created: set sizes before the first install.',
    yamlBody({ storage: values.storage }).trimEnd(),
    '',
  ].join('\n');
}

/**
 * `<cluster>/argocd/` for chart output: the upstream Applications of the plain tree and one Application per
 * cluster chart instead of one per folder; validated (schemas when given: the Argo CD CRD).
 */
function argocdFiles(result: SynthResult, charts: ReadonlyArray<ClusterChart>, options: HelmTreeOptions): FileMap {
  const model = result.model;
  if (!model.gitops || model.gitops.mode !== 'applications') return new Map();
  const g = model.gitops;
  const argo = gitopsObjects(model, result.manifests);
  const ours = (o: KubeObject, cluster: string) => {
    const src = (o.spec as { source?: { repoURL?: string; path?: string } } | undefined)?.source;
    return src?.repoURL === g.repoURL && (src.path ?? '').startsWith(`${g.path}/${cluster}/`);
  };
  const byCluster = new Map<string, KubeObject[]>();
  for (const { cluster, object } of argo.perCluster) if (!ours(object, cluster)) byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), object]);
  for (const c of charts) byCluster.set(c.cluster, [...(byCluster.get(c.cluster) ?? []), chartApplication(model, c.cluster, c.dir)]);
  const placed = placeObjects([...byCluster].map(([cluster, objects]) => ({ cluster, component: 'argocd', objects })));
  const label = options.outLabel ?? 'dist';
  const findings = validateEntries(placed.map((p) => ({ file: `${label}/${p.path}`, cluster: p.cluster, object: p.object })), { root: label, ...options.validation });
  if (findings.length > 0) throw new ValidationError(findingsToProblems(findings));
  return renderFiles(model.name, placed);
}

/**
 * The Helm charts a folder given to `validate` or `flows` is, holds or sits in: the folder itself or a folder up to
 * three levels above it with a Chart.yaml (`dist/hub/chart/templates/monitoring`), a cluster folder's chart
 * (`dist/hub` → `dist/hub/chart`), or every cluster's (chartFoldersIn).
 */
export function chartFoldersAt(dir: string): string[] {
  let d = path.resolve(dir);
  for (let up = 0; up <= 3; up++, d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'Chart.yaml'))) return [up === 0 ? dir : path.isAbsolute(dir) ? d : path.relative(process.cwd(), d) || '.'];
    if (path.dirname(d) === d) break;
  }
  if (fs.existsSync(path.join(dir, 'chart', 'Chart.yaml'))) return [path.join(dir, 'chart')];
  return chartFoldersIn(dir);
}

/** The cluster charts `synth --format helm` wrote under `outdir` (`<cluster>/chart/Chart.yaml`), as paths. */
export function chartFoldersIn(outdir: string): string[] {
  let clusters: fs.Dirent[];
  try {
    clusters = fs.readdirSync(outdir, { withFileTypes: true });
  } catch {
    return [];
  }
  return clusters
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(outdir, chartDir(d.name), 'Chart.yaml')))
    .map((d) => path.join(outdir, chartDir(d.name)))
    .sort();
}
