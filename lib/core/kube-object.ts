/** A Kubernetes object as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** The objects of one component on one cluster: one folder dist/<cluster>/<component>/. */
export interface Manifest {
  readonly cluster: string;
  readonly component: string;
  readonly objects: ReadonlyArray<KubeObject>;
}

/** Where the pod spec of each workload kind is (its `spec` path; a CronJob's pods come from its job template). */
export const POD_SPEC_PATHS: Readonly<Record<string, ReadonlyArray<string>>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * Kinds that are not namespaced, for the API groups edgewatt emits. The conformance test checks this list
 * against the official Kubernetes OpenAPI document.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'StorageClass',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'RuntimeClass',
  'IngressClass',
  'APIService',
  'CSIDriver',
]);

/** `kind/namespace/name`: what identifies an object in one cluster. */
export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The API group of an `apiVersion`: `apps` of `apps/v1`, `''` (the core group) of `v1`. */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export { jsonLength } from './object-digest';
