import { allowed, ClusterObjects, Entry, flowsMermaid, flowsReadme, PURPOSE_COLOURS } from '../../lib/validate';
import { Flow } from '../../lib/core/flows';

function cluster(objects: any[]): ClusterObjects {
  return new ClusterObjects('c', objects.map((object): Entry => ({ file: `dist/c/x/${object.kind}-${object.metadata.name}.yaml`, cluster: 'c', object })));
}
const sa = { namespace: 'monitoring', name: 'prometheus' };
const subject = [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }];

describe('RBAC', () => {
  test('a RoleBinding grants its Role in its own namespace only', () => {
    const objs = cluster([
      { kind: 'Role', metadata: { name: 'read', namespace: 'kepler' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] },
      { kind: 'RoleBinding', metadata: { name: 'read', namespace: 'kepler' }, roleRef: { kind: 'Role', name: 'read' }, subjects: subject },
    ]);
    expect(allowed(objs, sa, { verb: 'list', resource: 'pods', namespace: 'kepler' })).toBe(true);
    expect(allowed(objs, sa, { verb: 'list', resource: 'pods', namespace: 'other' })).toBe(false);
    expect(allowed(objs, sa, { verb: 'list', resource: 'pods' })).toBe(false); // cluster-wide
    expect(allowed(objs, sa, { verb: 'delete', resource: 'pods', namespace: 'kepler' })).toBe(false);
    expect(allowed(objs, sa, { verb: 'list', resource: 'deployments', group: 'apps', namespace: 'kepler' })).toBe(false);
    expect(allowed(objs, { namespace: 'other', name: 'prometheus' }, { verb: 'list', resource: 'pods', namespace: 'kepler' })).toBe(false);
  });
  test('a RoleBinding may bind a ClusterRole in its namespace; a ClusterRoleBinding grants everywhere; * covers all', () => {
    const objs = cluster([
      { kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['list'] }] },
      { kind: 'RoleBinding', metadata: { name: 'v', namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: subject },
      { kind: 'ClusterRole', metadata: { name: 'metrics' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }, { apiGroups: [''], resources: ['nodes'], verbs: ['*'] }] },
      { kind: 'ClusterRoleBinding', metadata: { name: 'metrics' }, roleRef: { kind: 'ClusterRole', name: 'metrics' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:monitoring' }] },
    ]);
    expect(allowed(objs, sa, { verb: 'list', resource: 'deployments', group: 'apps', namespace: 'shop' })).toBe(true);
    expect(allowed(objs, sa, { verb: 'list', resource: 'deployments', group: 'apps', namespace: 'kepler' })).toBe(false);
    expect(allowed(objs, sa, { verb: 'get', nonResourceURL: '/metrics' })).toBe(true);
    expect(allowed(objs, sa, { verb: 'get', nonResourceURL: '/metrics/cadvisor' })).toBe(false);
    expect(allowed(objs, sa, { verb: 'watch', resource: 'nodes' })).toBe(true);
    expect(allowed(objs, { namespace: 'kepler', name: 'x' }, { verb: 'watch', resource: 'nodes' })).toBe(false);
  });
  test('a rule limited to resourceNames does not grant list', () => {
    const objs = cluster([
      { kind: 'ClusterRole', metadata: { name: 'one' }, rules: [{ apiGroups: [''], resources: ['pods'], resourceNames: ['p'], verbs: ['list'] }] },
      { kind: 'ClusterRoleBinding', metadata: { name: 'one' }, roleRef: { kind: 'ClusterRole', name: 'one' }, subjects: subject },
    ]);
    expect(allowed(objs, sa, { verb: 'list', resource: 'pods', namespace: 'x' })).toBe(false);
  });
});

describe('flow diagram', () => {
  const flows: Flow[] = [
    { id: 'a', purpose: 'scrape', from: { kind: 'pods', cluster: 'hub', namespace: 'monitoring', podLabels: { app: 'p' }, workload: 'StatefulSet/prometheus' }, to: { kind: 'pods', cluster: 'hub', namespace: 'kepler', podLabels: { app: 'k' }, port: 'http', workload: 'kepler' }, transport: 'in-cluster' },
    { id: 'b', purpose: 'remote-write', from: { kind: 'pods', cluster: 'edge', namespace: 'monitoring', podLabels: { app: 'p' }, workload: 'StatefulSet/prometheus' }, to: { kind: 'service', cluster: 'hub', namespace: 'monitoring', service: 'prometheus', port: 9090 }, transport: 'mcs' },
    { id: 'c', purpose: 'device-remote-write', from: { kind: 'device', cluster: 'hub', set: 'cams' }, to: { kind: 'service', cluster: 'hub', namespace: 'monitoring', service: 'prometheus', port: 9090 }, transport: 'ingress' },
  ];
  test('one edge per flow, coloured by purpose, dashed across clusters and from devices; devices outside every cluster', () => {
    const m = flowsMermaid(flows);
    const edges = m.split('\n').filter((l) => /-->|-\.->/.test(l));
    expect(edges).toEqual([
      '  n_hub_monitoring_StatefulSet_prometheus -->|scrape| n_hub_kepler_kepler_http',
      '  n_edge_monitoring_StatefulSet_prometheus -.->|remote-write via mcs| n_hub_monitoring_svc_prometheus_9090',
      '  n_devices_hub_cams -.->|device-remote-write via ingress| n_hub_monitoring_svc_prometheus_9090',
    ]);
    expect(m).toContain(`  linkStyle 1 stroke:${PURPOSE_COLOURS['remote-write']},stroke-width:2px`);
    expect(m).toContain('  n_devices_hub_cams(["devices hub/cams"])');
    expect(m.match(/subgraph/g)).toHaveLength(2);
    expect(new Set(Object.values(PURPOSE_COLOURS)).size).toBe(Object.keys(PURPOSE_COLOURS).length);
    expect(flowsReadme('s', flows)).toContain('| remote-write | `edge/monitoring/StatefulSet/prometheus` | `hub/monitoring/svc/prometheus:9090` | mcs |');
  });

  test('FLOWS.md is taken again for the same stack and flows, and made again for others (another order, a changed flow, another stack)', () => {
    const first = flowsReadme('s', flows);
    expect(flowsReadme('s', structuredClone(flows))).toBe(first);
    const reordered = flowsReadme('s', [...flows].reverse());
    expect(reordered).not.toBe(first);
    expect(reordered.indexOf('| device-remote-write |')).toBeLessThan(reordered.indexOf('| scrape |'));
    const changed = flowsReadme('s', flows.map((f) => (f.id === 'c' ? { ...f, transport: 'mcs' as const } : f)));
    expect(changed).toContain('| device-remote-write | `devices hub/cams` | `hub/monitoring/svc/prometheus:9090` | mcs |');
    expect(flowsReadme('t', flows)).toContain('# Flows of stack t');
    expect(flowsReadme('s', flows)).toBe(first);
  });

  test('each cluster is one subgraph (clusters sorted, its nodes sorted), then the nodes outside every cluster', () => {
    const nodes = flowsMermaid(flows).split('\n').filter((l) => !/-->|-\.->|linkStyle/.test(l));
    expect(nodes).toEqual([
      'flowchart LR',
      '  subgraph n_cluster_edge["cluster edge"]',
      '    n_edge_monitoring_StatefulSet_prometheus["monitoring/StatefulSet/prometheus"]',
      '  end',
      '  subgraph n_cluster_hub["cluster hub"]',
      '    n_hub_kepler_kepler_http["kepler/kepler:http"]',
      '    n_hub_monitoring_StatefulSet_prometheus["monitoring/StatefulSet/prometheus"]',
      '    n_hub_monitoring_svc_prometheus_9090["monitoring/svc/prometheus:9090"]',
      '  end',
      '  n_devices_hub_cams(["devices hub/cams"])',
      '',
    ]);
  });
});
