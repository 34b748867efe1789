import { KubeObject } from './kube-object';

/**
 * A StatefulSet with `apiVersion: v1` and `kind: PersistentVolumeClaim` on each claim template that lacks them
 * (cdk8s's generated props cannot hold them; the object itself when none lacks them, or it is another kind). The
 * API server adds both to the live object (kubernetes/kubernetes `pkg/apis/apps/v1/conversion.go`,
 * Convert_apps_StatefulSetSpec_To_v1_StatefulSetSpec), and with `ServerSideApply=true` Argo CD diffs by structured
 * merge, where the atomic `volumeClaimTemplates` list of Git then never equals the live one: the Application stays
 * OutOfSync for ever (argo-cd v3.5.1 `controller/state.go`; gitops-engine `pkg/diff/diff.go`, whose StatefulSet
 * workaround runs only in the three-way diff; argoproj/argo-cd issues 11143 and 18568). Written in Git, both agree.
 */
export function withTypedClaimTemplates(o: KubeObject): KubeObject {
  if (o.kind !== 'StatefulSet') return o;
  const spec = (o as { spec?: { volumeClaimTemplates?: Array<Record<string, unknown>> } }).spec;
  const claims = spec?.volumeClaimTemplates;
  if (!Array.isArray(claims) || claims.every((c) => c.apiVersion !== undefined && c.kind !== undefined)) return o;
  const typed = claims.map((c) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...c }));
  return { ...o, spec: { ...spec, volumeClaimTemplates: typed } } as KubeObject;
}
