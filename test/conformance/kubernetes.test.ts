import * as fs from 'fs';
import { CLUSTER_SCOPED_KINDS } from '../../lib/internal';
import { sharedPath } from '../support/shared';

interface Swagger {
  paths: Record<string, Record<string, { 'x-kubernetes-group-version-kind'?: { kind: string }; 'x-kubernetes-action'?: string }>>;
}

describe('conformance with the Kubernetes v1.35 OpenAPI document', () => {
  const swagger = JSON.parse(fs.readFileSync(sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), 'utf8')) as Swagger;

  test('the cluster-scoped kinds edgewatt knows are exactly those the API serves without a namespace', () => {
    const namespaced = new Set<string>();
    const clusterScoped = new Set<string>();
    for (const [p, ops] of Object.entries(swagger.paths)) {
      const post = ops.post;
      const kind = post?.['x-kubernetes-group-version-kind']?.kind;
      if (!kind || post['x-kubernetes-action'] !== 'post') continue;
      (p.includes('/namespaces/{namespace}/') ? namespaced : clusterScoped).add(kind);
    }
    expect(clusterScoped.size).toBeGreaterThan(10);
    for (const kind of CLUSTER_SCOPED_KINDS) {
      expect({ kind, clusterScoped: clusterScoped.has(kind), namespaced: namespaced.has(kind) }).toEqual({ kind, clusterScoped: true, namespaced: false });
    }
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'DaemonSet', 'Role', 'RoleBinding', 'NetworkPolicy']) {
      expect(namespaced.has(kind) && !CLUSTER_SCOPED_KINDS.has(kind)).toBe(true);
    }
  });
});
