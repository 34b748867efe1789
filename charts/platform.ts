import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stackLabels } from '../lib/core/labels';
import { NamespaceModel } from '../lib/model';
import { ChartContext, ComponentDefinition } from './component';

/**
 * Annotation of a namespace that holds nothing of the stack but must exist for Multi-Cluster Services to import the
 * Services it lists (NamespaceModel.imports).
 */
export const MCS_IMPORTS_ANNOTATION = 'edgewatt.io/mcs-imports';

/** Annotation that carries the reason a namespace is below Pod Security `restricted`. */
export const POD_SECURITY_EXCEPTION_ANNOTATION = 'edgewatt.io/pod-security-exception';

/** Labels enforcing, auditing and warning at a Pod Security level. */
export function podSecurityLabels(ns: NamespaceModel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': ns.podSecurity,
    'pod-security.kubernetes.io/audit': ns.podSecurity,
    'pod-security.kubernetes.io/warn': ns.podSecurity,
  };
}

/**
 * Per cluster: the Namespaces the stack uses, labelled with their Pod Security levels. External namespaces (the
 * existing Prometheus install's) are left out: not emitted, so never labelled, and never deleted with this
 * component's Application (its resources finalizer cascades only to what it deployed).
 */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const ns of ctx.cluster.namespaces.filter((n) => !n.external)) {
      new kplus.Namespace(this, `namespace-${ns.name}`, {
        metadata: {
          name: ns.name,
          labels: { ...stackLabels(ctx.model.name), 'app.kubernetes.io/component': ns.component, ...podSecurityLabels(ns) },
          annotations:
            ns.exceptionReason || ns.imports
              ? {
                  ...(ns.exceptionReason ? { [POD_SECURITY_EXCEPTION_ANNOTATION]: ns.exceptionReason } : {}),
                  ...(ns.imports ? { [MCS_IMPORTS_ANNOTATION]: `Multi-Cluster Services import a Service only where its namespace exists (KEP-1645): ${ns.imports.join(', ')}` } : {}),
                }
              : undefined,
        },
      });
    }
  }
}

/** The platform component: runs on every cluster. */
export const platformComponent: ComponentDefinition = {
  name: 'platform',
  clusters: (model) => model.clusters.filter((c) => c.namespaces.some((n) => !n.external)).map((c) => c.name),
  build: (scope, id, ctx) => new PlatformChart(scope, id, ctx),
};
