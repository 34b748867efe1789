import { Entry } from './types';

/**
 * The namespace an object makes exist on its cluster: a Namespace's name, or the destination namespace of an Argo CD
 * Application that Argo CD creates with the `CreateNamespace=true` sync option (the Flotta operator's, from upstream
 * kustomize); undefined for anything else.
 */
export function namespaceCreatedBy(e: Entry): string | undefined {
  if (e.object.apiVersion === 'v1' && e.object.kind === 'Namespace') return e.object.metadata.name;
  if (!e.object.apiVersion.startsWith('argoproj.io/') || e.object.kind !== 'Application') return undefined;
  const app = e.object.spec as { destination?: { namespace?: string }; syncPolicy?: { syncOptions?: string[] } } | undefined;
  return app?.syncPolicy?.syncOptions?.includes('CreateNamespace=true') ? app.destination?.namespace : undefined;
}
