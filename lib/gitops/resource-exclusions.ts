import { stringify } from 'yaml';
import { exclusionsSyncingEndpointSlices, RESOURCE_EXCLUSIONS_KEY, RESOURCE_EXCLUSIONS_PATCH_FILE } from '../core/argocd-exclusions';
import { argocdCmPatch } from './health-check';

/** The command that merges the patch into the running argocd-cm. */
export function resourceExclusionsPatchCommand(argocdNamespace: string, bootstrapDir = 'argocd'): string {
  return `kubectl -n ${argocdNamespace} patch configmap argocd-cm --type merge --patch-file ${bootstrapDir}/${RESOURCE_EXCLUSIONS_PATCH_FILE}`;
}

/**
 * The patch file (argocdCmPatch) of `resource.exclusions`. The key's value is one YAML text, so the patch replaces it
 * whole: it holds Argo CD's default list, changed only so that the EndpointSlices of the clusters at `syncOn` are
 * applied (`others`: the stack's other clusters).
 */
export function resourceExclusionsPatch(stackName: string, argocdNamespace: string, syncOn: ReadonlyArray<string>, others: ReadonlyArray<string>): string {
  return argocdCmPatch(
    stackName,
    [
      "Argo CD resource exclusions that let the EndpointSlices of devices' services sync. Argo CD v3 excludes",
      'Endpoints and EndpointSlice by default (argo-cd v3.5.1 manifests/base/config/argocd-cm.yaml) and never',
      'applies an excluded object, so the Service of an IoMT thing on a fleet device would have no endpoints.',
      `This is that default list with EndpointSlice synced on ${[...new Set(syncOn)].sort().join(', ')}.`,
      'It replaces the whole resource.exclusions key: if yours is not the default, merge the two by hand.',
      'Merge it into the running argocd-cm before `kubectl apply -f argocd/` (the root Applications sync at once):',
      `  ${resourceExclusionsPatchCommand(argocdNamespace)}`,
    ],
    RESOURCE_EXCLUSIONS_KEY,
    stringify(exclusionsSyncingEndpointSlices(others), { lineWidth: 0 }),
  );
}
