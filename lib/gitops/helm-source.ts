import { Problem, SpecError } from '../core/errors';
import { CLIENT_SIDE_APPLY_LIMIT_BYTES, isExactChartVersion } from '../core/versions';
import { KubeObject } from '../synth/kube-object';
import { RESOURCES_FINALIZER, SYNC_WAVE_ANNOTATION, syncPolicy } from './sync';

/**
 * A Helm chart pinned to one version, as an Argo CD Application source reads it (argo-cd v3.5.1
 * `pkg/apis/application/v1alpha1/types.go`, ApplicationSource: `repoURL`, `chart`, `targetRevision` — "In
 * case of Helm, this is a semver tag for the Chart's version").
 */
export interface HelmChartRef {
  /**
   * The chart repository: an HTTP(S) Helm repository (`https://charts.jetstack.io`) or an OCI registry path
   * written without `oci://` (`quay.io/jetstack/charts`), as Argo CD expects (v3.5.1 `docs/user-guide/helm.md`).
   */
  readonly repoURL: string;
  /** The chart's name in that repository. */
  readonly chart: string;
  /** Exactly one chart version (`v1.21.1`, `88.5.3`): never a range, never `*`. */
  readonly targetRevision: string;
}

/** An Argo CD Application whose source is a Helm chart. `V` types the chart values edgewatt sets. */
export interface HelmApplicationProps<V extends object> {
  /** The Application's name. */
  readonly name: string;
  /** Namespace of Argo CD, where the Application lives. */
  readonly argocdNamespace: string;
  /** The AppProject. */
  readonly project: string;
  /** Labels of the Application. @default - none */
  readonly labels?: Record<string, string>;
  /** Cluster API server and namespace the chart is installed into. */
  readonly destination: { readonly server: string; readonly namespace: string };
  /** The chart, pinned. */
  readonly chart: HelmChartRef;
  /**
   * Helm release name. Argo CD defaults it to the Application name (v3.5.1 `docs/user-guide/helm.md`, "Helm
   * Release Name"); charts name their objects after it, so it is always set explicitly.
   */
  readonly releaseName: string;
  /**
   * Values, as `helm.valuesObject` (Argo CD ≥ 2.8). Precedence in Argo CD: parameters > valuesObject > values >
   * valueFiles > the chart's values.yaml; edgewatt sets only valuesObject.
   */
  readonly values: V;
  /** Skip the chart's CRDs (Helm's `--skip-crds`), when the cluster already has them. @default false */
  readonly skipCrds?: boolean;
  /** Sync wave of the Application in its parent app-of-apps. */
  readonly syncWave: number;
  /**
   * Size, as compact JSON, of the largest CRD the chart installs: above the client-side apply annotation
   * limit (262,144 bytes) the Application syncs with `ServerSideApply=true`. @default 0 - no CRDs
   */
  readonly largestCrdJsonBytes?: number;
  /**
   * Argo CD creates the destination namespace (`CreateNamespace=true`), labelled with these Pod Security
   * labels through `managedNamespaceMetadata`. @default - the namespace is not created
   */
  readonly createNamespace?: { readonly labels: Record<string, string> };
}

const HELM_RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CHART_NAME = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;
const HTTP_REPO = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const OCI_REPO = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)+$/;

/** The field paths problems are reported at, per property of the chart reference. */
export type ChartRefPaths = Record<keyof HelmChartRef | 'releaseName', string>;

/** The field paths of a source at `path`: `<path>.repoURL`, `<path>.chart`, `<path>.targetRevision`, `<path>.helm.releaseName`. */
export function sourcePaths(path: string): ChartRefPaths {
  return { repoURL: `${path}.repoURL`, chart: `${path}.chart`, targetRevision: `${path}.targetRevision`, releaseName: `${path}.helm.releaseName` };
}

/** Problems of a chart reference, each naming the field (`paths`) and the fix. */
export function chartRefProblems(ref: Partial<HelmChartRef>, paths: ChartRefPaths): Problem[] {
  const out: Problem[] = [];
  const repo = ref.repoURL ?? '';
  if (repo.startsWith('oci://')) {
    out.push({ path: paths.repoURL, message: `"${repo}": write an OCI registry without oci://, as Argo CD expects (e.g. ${repo.slice('oci://'.length)})` });
  } else if (!HTTP_REPO.test(repo) && !OCI_REPO.test(repo)) {
    out.push({ path: paths.repoURL, message: `"${repo}" is not a chart repository: give an HTTP(S) Helm repository (https://charts.example.com) or an OCI registry path without oci:// (registry.example.com/charts)` });
  }
  if (!CHART_NAME.test(ref.chart ?? '')) out.push({ path: paths.chart, message: `"${ref.chart ?? ''}" is not a chart name: lower-case letters, digits and dashes, such as cert-manager` });
  if (ref.targetRevision === undefined || ref.targetRevision === '') {
    out.push({ path: paths.targetRevision, message: 'is missing: pin the exact chart version, such as v1.21.1 (Argo CD would otherwise follow the newest chart)' });
  } else if (!isExactChartVersion(ref.targetRevision)) {
    out.push({ path: paths.targetRevision, message: `"${ref.targetRevision}" is not one exact chart version (a range, * or a name): pin an exact version such as v1.21.1 or 1.21.1` });
  }
  return out;
}

/**
 * Builds the Application. Throws a SpecError listing every problem (at `paths`, with the fix) when the chart is
 * not pinned to an exact version, the repository is malformed or the release name is not a Helm release name.
 * Helm hooks of the chart run as Argo CD hooks (pre-install/pre-upgrade → PreSync, post-install/post-upgrade
 * → PostSync; rollback and test hooks are not run — v3.5.1 `docs/user-guide/helm.md`, "Helm Hooks").
 */
export function helmApplication<V extends object>(props: HelmApplicationProps<V>, paths: ChartRefPaths = sourcePaths('spec.source')): KubeObject {
  const problems = chartRefProblems(props.chart, paths);
  if (!HELM_RELEASE_NAME.test(props.releaseName) || props.releaseName.length > 53) {
    problems.push({ path: paths.releaseName, message: `"${props.releaseName}" is not a Helm release name: at most 53 lower-case letters, digits, dashes and dots` });
  }
  if (problems.length > 0) throw new SpecError(problems);
  const serverSideApply = (props.largestCrdJsonBytes ?? 0) > CLIENT_SIDE_APPLY_LIMIT_BYTES;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: props.name,
      namespace: props.argocdNamespace,
      ...(props.labels ? { labels: props.labels } : {}),
      annotations: { [SYNC_WAVE_ANNOTATION]: String(props.syncWave) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: props.project,
      source: {
        repoURL: props.chart.repoURL,
        chart: props.chart.chart,
        targetRevision: props.chart.targetRevision,
        helm: {
          releaseName: props.releaseName,
          valuesObject: props.values,
          ...(props.skipCrds ? { skipCrds: true } : {}),
        },
      },
      destination: { server: props.destination.server, namespace: props.destination.namespace },
      syncPolicy: syncPolicy({ serverSideApply, createNamespace: !!props.createNamespace, managedNamespaceLabels: props.createNamespace?.labels }),
    },
  };
}
