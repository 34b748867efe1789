/**
 * The NetworkPolicy evaluator against the facts the Kubernetes documentation states about its own examples
 * (kubernetes/website content/en/docs/concepts/services-networking/network-policies.md): the example policy on
 * role=db pods, AND vs OR of namespace and pod selectors, default deny / allow all, port ranges, named ports,
 * targeting a namespace by its automatic name label. Objects are written here from those facts.
 */
import { ClusterObjects, egressVerdict, ingressVerdict, ipBlockAdmits, cidrContains, cidrOverlaps, Peer, selects } from '../../lib/validate';
import { Entry } from '../../lib/validate';

function cluster(objects: any[]): ClusterObjects {
  const entries: Entry[] = objects.map((object) => ({ file: `dist/c/x/${object.kind}-${object.metadata.name}.yaml`, cluster: 'c', object }));
  return new ClusterObjects('c', entries);
}

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const policy = (name: string, namespace: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const pod = (namespace: string, labels: Record<string, string>) => ({ namespace, labels });
const tcp = (n: number, name?: string) => ({ number: n, name, protocol: 'TCP' });
const from = (namespace: string, labels: Record<string, string>): Peer => ({ kind: 'pod', namespace, labels });

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend' };
  test('matchLabels and matchExpressions are ANDed; operators In, NotIn, Exists, DoesNotExist', () => {
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'x'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true); // absent key
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, labels)).toBe(false);
  });
});

describe('CIDRs (ipBlock)', () => {
  test('containment, overlap and except', () => {
    expect(cidrContains('172.17.0.0/16', '172.17.2.0/24')).toBe(true);
    expect(cidrContains('172.17.0.0/16', '172.18.0.0/24')).toBe(false);
    expect(cidrContains('172.17.0.0/24', '172.17.0.0/16')).toBe(false);
    expect(cidrOverlaps('172.17.1.0/24', '172.17.0.0/16')).toBe(true);
    expect(cidrOverlaps('172.17.1.0/24', '172.17.2.0/24')).toBe(false);
    const block = { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] };
    expect(ipBlockAdmits(block, '172.17.0.5')).toBe(true);
    expect(ipBlockAdmits(block, '172.17.1.5')).toBe(false);
    expect(ipBlockAdmits(block, '172.17.2.0/24')).toBe(true);
    expect(ipBlockAdmits(block, '172.17.0.0/16')).toBe(false); // overlaps the except
    expect(ipBlockAdmits({ cidr: 'fd00::/8' }, 'fd12::1')).toBe(true);
    expect(ipBlockAdmits({ cidr: '10.0.0.0/8' }, 'fd12::1')).toBe(false);
  });
});

describe('the documentation\'s example policy (test-network-policy on role=db in default)', () => {
  const objs = cluster([
    ns('default'),
    ns('myproject', { project: 'myproject' }),
    ns('other'),
    policy('test-network-policy', 'default', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }],
          ports: [{ protocol: 'TCP', port: 6379 }],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
    }),
  ]);
  const db = pod('default', { role: 'db' });

  test('admits role=frontend pods of its own namespace on TCP 6379, and no other port or protocol', () => {
    expect(ingressVerdict(objs, db, from('default', { role: 'frontend' }), tcp(6379)).admitted).toBe(true);
    expect(ingressVerdict(objs, db, from('default', { role: 'frontend' }), tcp(6380)).admitted).toBe(false);
    expect(ingressVerdict(objs, db, from('default', { role: 'frontend' }), { number: 6379, protocol: 'UDP' }).admitted).toBe(false);
  });

  test('a podSelector peer alone does not admit role=frontend pods of another namespace', () => {
    expect(ingressVerdict(objs, db, from('other', { role: 'frontend' }), tcp(6379)).admitted).toBe(false);
  });

  test('admits every pod of namespaces labelled project=myproject', () => {
    expect(ingressVerdict(objs, db, from('myproject', { anything: 'x' }), tcp(6379)).admitted).toBe(true);
    expect(ingressVerdict(objs, db, from('other', { anything: 'x' }), tcp(6379)).admitted).toBe(false);
  });

  test('admits 172.17.0.0/16 except 172.17.1.0/24', () => {
    expect(ingressVerdict(objs, db, { kind: 'cidrs', cidrs: ['172.17.0.10/32'] }, tcp(6379)).admitted).toBe(true);
    expect(ingressVerdict(objs, db, { kind: 'cidrs', cidrs: ['172.17.1.10/32'] }, tcp(6379)).admitted).toBe(false);
    expect(ingressVerdict(objs, db, { kind: 'cidrs', cidrs: ['172.17.0.10', '172.17.1.10'] }, tcp(6379)).admitted).toBe(false);
  });

  test('lets role=db pods connect to 10.0.0.0/24 on TCP 5978 only', () => {
    expect(egressVerdict(objs, db, { kind: 'cidrs', cidrs: ['10.0.0.7'] }, tcp(5978)).admitted).toBe(true);
    expect(egressVerdict(objs, db, { kind: 'cidrs', cidrs: ['10.0.1.7'] }, tcp(5978)).admitted).toBe(false);
    expect(egressVerdict(objs, db, { kind: 'cidrs', cidrs: ['10.0.0.7'] }, tcp(80)).admitted).toBe(false);
  });

  test('pods the policy does not select are not isolated', () => {
    const v = ingressVerdict(objs, pod('default', { role: 'web' }), from('other', {}), tcp(1));
    expect(v).toEqual({ isolated: false, admitted: true, policies: [] });
  });
});

describe('AND and OR of namespace and pod selectors', () => {
  const alice = [ns('alice', { user: 'alice' }), ns('bob', { user: 'bob' })];
  const dst = pod('db', { app: 'db' });
  test('one peer with both selectors: client pods in alice\'s namespaces only', () => {
    const objs = cluster([...alice, ns('db'), policy('and', 'db', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] })]);
    expect(ingressVerdict(objs, dst, from('alice', { role: 'client' }), tcp(1)).admitted).toBe(true);
    expect(ingressVerdict(objs, dst, from('alice', { role: 'server' }), tcp(1)).admitted).toBe(false);
    expect(ingressVerdict(objs, dst, from('bob', { role: 'client' }), tcp(1)).admitted).toBe(false);
  });
  test('two peers: client pods of the policy\'s namespace, or any pod of alice\'s namespaces', () => {
    const objs = cluster([...alice, ns('db'), policy('or', 'db', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] })]);
    expect(ingressVerdict(objs, dst, from('alice', { role: 'server' }), tcp(1)).admitted).toBe(true);
    expect(ingressVerdict(objs, dst, from('db', { role: 'client' }), tcp(1)).admitted).toBe(true);
    expect(ingressVerdict(objs, dst, from('bob', { role: 'client' }), tcp(1)).admitted).toBe(false);
  });
});

describe('defaults', () => {
  const any = pod('n', { app: 'x' });
  test('default deny all ingress: an empty podSelector isolates every pod, no rule admits', () => {
    const objs = cluster([policy('deny', 'n', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(ingressVerdict(objs, any, from('n', {}), tcp(80))).toMatchObject({ isolated: true, admitted: false });
    expect(egressVerdict(objs, any, from('n', {}), tcp(80)).isolated).toBe(false);
  });
  test('allow all ingress: one empty rule admits every source and port', () => {
    const objs = cluster([policy('deny', 'n', { podSelector: {}, policyTypes: ['Ingress'] }), policy('all', 'n', { podSelector: {}, ingress: [{}] })]);
    expect(ingressVerdict(objs, any, { kind: 'cidrs', cidrs: ['203.0.113.9'] }, tcp(443)).admitted).toBe(true);
  });
  test('policyTypes absent: Ingress, and Egress only when the policy has an egress section', () => {
    const objs = cluster([policy('p', 'n', { podSelector: {}, egress: [] })]);
    expect(ingressVerdict(objs, any, from('n', {}), tcp(80))).toMatchObject({ isolated: true, admitted: false });
    expect(egressVerdict(objs, any, from('n', {}), tcp(80))).toMatchObject({ isolated: true, admitted: false });
  });
  test('default deny all egress', () => {
    const objs = cluster([policy('p', 'n', { podSelector: {}, policyTypes: ['Egress'] })]);
    expect(egressVerdict(objs, any, { kind: 'cidrs', cidrs: ['10.0.0.1'] }, tcp(53))).toMatchObject({ isolated: true, admitted: false });
    expect(ingressVerdict(objs, any, from('n', {}), tcp(80)).isolated).toBe(false);
  });
  test('a policy selects pods of its own namespace only', () => {
    const objs = cluster([policy('deny', 'other', { podSelector: {}, policyTypes: ['Ingress'] })]);
    expect(ingressVerdict(objs, any, from('n', {}), tcp(80)).isolated).toBe(false);
  });
});

describe('ports', () => {
  const dst = pod('n', { app: 'x' });
  test('a port range (endPort) admits ports from port to endPort', () => {
    const objs = cluster([policy('p', 'n', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })]);
    const to = { kind: 'cidrs' as const, cidrs: ['10.0.0.1'] };
    expect(egressVerdict(objs, dst, to, tcp(32000)).admitted).toBe(true);
    expect(egressVerdict(objs, dst, to, tcp(32768)).admitted).toBe(true);
    expect(egressVerdict(objs, dst, to, tcp(32769)).admitted).toBe(false);
  });
  test('a named port admits the destination container port of that name only', () => {
    const objs = cluster([policy('p', 'n', { podSelector: {}, ingress: [{ ports: [{ port: 'metrics' }] }] })]);
    expect(ingressVerdict(objs, dst, from('n', {}), tcp(9100, 'metrics')).admitted).toBe(true);
    expect(ingressVerdict(objs, dst, from('n', {}), tcp(9100, 'http')).admitted).toBe(false);
    expect(ingressVerdict(objs, dst, from('n', {}), tcp(9100)).admitted).toBe(false);
  });
});

test('a namespace is selected by its automatic kubernetes.io/metadata.name label, Namespace object or not', () => {
  const objs = cluster([policy('p', 'n', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }] })]);
  const dst = pod('n', {});
  expect(ingressVerdict(objs, dst, from('monitoring', {}), tcp(1)).admitted).toBe(true);
  expect(ingressVerdict(objs, dst, from('dashboards', {}), tcp(1)).admitted).toBe(false);
});
