import { stringify } from 'yaml';
import { exclusionsSyncingEndpointSlices, RESOURCE_EXCLUSIONS_KEY, RESOURCE_EXCLUSIONS_PATCH_FILE } from '../core/argocd-exclusions';
import { yamlHeader } from '../synth/serialize';

/** The command that merges the patch into the running argocd-cm. */
export function resourceExclusionsPatchCommand(argocdNamespace: string, bootstrapDir = 'argocd'): string {
  return `kubectl -n ${argocdNamespace} patch configmap argocd-cm --type merge --patch-file ${bootstrapDir}/${RESOURCE_EXCLUSIONS_PATCH_FILE}`;
}

/**
 * The patch file: a JSON merge patch of argocd-cm's `data` holding `resource.exclusions` only. The key's value
 * is one YAML text, so the patch replaces it whole: it holds Argo CD's default list, changed only so that the
 * EndpointSlices of the clusters at `syncOn` are applied (`others`: the stack's other clusters).
 */
export function resourceExclusionsPatch(stackName: string, argocdNamespace: string, syncOn: ReadonlyArray<string>, others: ReadonlyArray<string>): string {
  const value = stringify(exclusionsSyncingEndpointSlices(others), { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return [
    yamlHeader(stackName),
    "# Argo CD resource exclusions that let the EndpointSlices of devices' services sync. Argo CD v3 excludes",
    '# Endpoints and EndpointSlice by default (argo-cd v3.5.1 manifests/base/config/argocd-cm.yaml) and never',
    '# applies an excluded object, so the Service of an IoMT thing on a fleet device would have no endpoints.',
    `# This is that default list with EndpointSlice synced on ${[...new Set(syncOn)].sort().join(', ')}.`,
    '# It replaces the whole resource.exclusions key: if yours is not the default, merge the two by hand.',
    `#   ${resourceExclusionsPatchCommand(argocdNamespace)}`,
    'data:',
    `  ${RESOURCE_EXCLUSIONS_KEY}: |`,
    value,
    '',
  ].join('\n');
}
