/**
 * The api-server flows are proven on the path, not only on RBAC (lib/validate/flows/network.ts checkApiServerPath):
 * the pods get their ServiceAccount's token, their egress policies reach the API server's endpoints on the port it
 * serves on after the kubernetes Service's DNAT (6443 on k3s, 443 and 6443 on a generic cluster), at its addresses when
 * the stack gives them (clusters[].apiServerCIDRs), and the cluster DNS when the source names the server by a host name
 * (kube-eventer's `kubernetes:https://kubernetes.default`). Each break below passed every gate before; each now fails
 * with the flow named at the object to fix. An egress rule without peers fails unless the policy says why.
 */
import { describeFlow, Flow } from '../../lib/core/flows';
import { Entry, findingsToProblems, validateEntries } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';
import { flowOutput } from '../support/flow-output';

const output = flowOutput;

const demo = output(demoStack());
const EVENTER_POLICY = 'dist/hub/events/networkpolicy-kube-eventer.yaml';
const EVENTER = 'dist/hub/events/deployment-kube-eventer.yaml';

/** A copy of an output that a test may break. */
function copy(out: { entries: Map<string, Entry> }): Map<string, Entry> {
  return new Map([...out.entries].map(([k, e]) => [k, { ...e, object: clone(e.object) }]));
}

function gate(entries: Map<string, Entry>, flows: Flow[] = demo.flows): string[] {
  return findingsToProblems(validateEntries([...entries.values()], { flows })).map((p) => `${p.path}: ${p.message}`);
}

function flowOf(id: string, flows: Flow[] = demo.flows): Flow {
  const f = flows.find((x) => x.id === id);
  if (!f) throw new Error(`no flow ${id}`);
  return f;
}

/** The problems that say the flow `id` is blocked. */
function blocked(problems: string[], id: string, flows: Flow[] = demo.flows): string[] {
  return problems.filter((p) => p.includes(`flow ${describeFlow(flowOf(id, flows))} is blocked`));
}

const EVENTER_FLOW = 'api-server:hub/monitoring/kube-eventer->hub/api-server';
const KEPLER_FLOW = 'api-server:hub/kepler/kepler-exporter->hub/api-server';

test('the demo passes; its api-server flows carry the API server ports of their platform', () => {
  expect(gate(demo.entries)).toEqual([]);
  expect((flowOf(EVENTER_FLOW).to as { ports?: number[] }).ports).toEqual([6443]); // hub: k3s
  expect((flowOf('api-server:line-1/monitoring/kube-eventer->line-1/api-server').to as { ports?: number[] }).ports).toEqual([443, 6443]); // line-1: generic
  const policy = demo.entries.get(EVENTER_POLICY)!.object as any;
  // DNS only to the cluster DNS; the API server on 6443, to any address (declared: its addresses are not known).
  expect(policy.spec.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
  expect(policy.spec.egress[1]).toEqual({ ports: [{ port: 6443, protocol: 'TCP' }] });
  expect(policy.metadata.annotations['edgewatt.io/open-egress-ports']).toBe('6443/TCP');
  expect(policy.metadata.annotations['edgewatt.io/open-egress-reason']).toMatch(/apiServerCIDRs/);
});

test.each([
  ['no egress at all', (p: any) => (p.spec.egress = []), /API server's endpoints on port 6443\/TCP/],
  ['the API server rule removed', (p: any) => p.spec.egress.splice(1, 1), /API server's endpoints on port 6443\/TCP/],
  ['the API server rule to the Service ClusterIP on 443 (dropped after the DNAT to 6443)', (p: any) => (p.spec.egress[1] = { to: [{ ipBlock: { cidr: '10.43.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }), /port 6443\/TCP/],
  ['the DNS rule removed (kubernetes.default does not resolve)', (p: any) => p.spec.egress.splice(0, 1), /cluster DNS/],
])('kube-eventer: %s fails its api-server flow at its NetworkPolicy', (_what, edit, because) => {
  const t = copy(demo);
  edit(t.get(EVENTER_POLICY)!.object);
  const hits = blocked(gate(t), EVENTER_FLOW);
  expect(hits.length).toBeGreaterThan(0);
  expect(hits.every((p) => p.startsWith(`${EVENTER_POLICY}: /spec/egress`))).toBe(true);
  expect(hits.some((p) => because.test(p))).toBe(true);
});

test('pods without their token fail: automountServiceAccountToken false on the pod template, or on the ServiceAccount alone', () => {
  const t = copy(demo);
  (t.get(EVENTER)!.object as any).spec.template.spec.automountServiceAccountToken = false;
  expect(blocked(gate(t), EVENTER_FLOW)).toEqual([expect.stringMatching(new RegExp(`^${EVENTER}: /spec/template/spec/automountServiceAccountToken: .*no ServiceAccount token.*anonymous`))]);
  // Kepler has no egress policy: only its token is in question.
  const k = copy(demo);
  const sa = 'dist/hub/energy/serviceaccount-kepler-exporter.yaml';
  (k.get(sa)!.object as any).automountServiceAccountToken = false;
  expect(blocked(gate(k), KEPLER_FLOW)).toEqual([expect.stringMatching(new RegExp(`^${sa}: /automountServiceAccountToken: .*ServiceAccount sets automountServiceAccountToken: false`))]);
  // The pod template's true wins over the ServiceAccount's false.
  (k.get('dist/hub/energy/daemonset-kepler-exporter.yaml')!.object as any).spec.template.spec.automountServiceAccountToken = true;
  expect(blocked(gate(k), KEPLER_FLOW)).toEqual([]);
});

test('an egress rule without peers fails unless the policy says why', () => {
  const t = copy(demo);
  delete (t.get(EVENTER_POLICY)!.object as any).metadata.annotations['edgewatt.io/open-egress-ports'];
  expect(gate(t)).toEqual([expect.stringMatching(new RegExp(`^${EVENTER_POLICY}: /spec/egress/1: NetworkPolicy/kube-eventer in monitoring lets its pods reach every address on port 6443/TCP .*fix: list the destinations`))]);
  // Declared ports without the reason, a range from a declared port, and every address as an ipBlock fail too.
  for (const edit of [
    (p: any) => delete p.metadata.annotations['edgewatt.io/open-egress-reason'],
    (p: any) => (p.spec.egress[1].ports[0].endPort = 65535),
    (p: any) => (p.spec.egress[1] = { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }),
  ]) {
    const x = copy(demo);
    edit(x.get(EVENTER_POLICY)!.object);
    expect(gate(x)).toContainEqual(expect.stringMatching(new RegExp(`^${EVENTER_POLICY}: /spec/egress/1: .*lets its pods reach every address`)));
  }
  // The DNS rule without its peers fails too (it was open to every address on 53).
  const d = copy(demo);
  delete (d.get(EVENTER_POLICY)!.object as any).spec.egress[0].to;
  expect(gate(d)).toEqual([expect.stringMatching(new RegExp(`^${EVENTER_POLICY}: /spec/egress/0: .*every address on ports 53/UDP, 53/TCP`))]);
});

test('with clusters[].apiServerCIDRs the API server rule names those addresses, and one that misses them fails', () => {
  const stack = clone(demoStack()) as any;
  stack.clusters[0].apiServerCIDRs = ['192.168.10.11/32', '192.168.10.12/32'];
  const out = output(stack);
  const policy = out.entries.get(EVENTER_POLICY)!.object as any;
  expect(policy.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '192.168.10.11/32' } }, { ipBlock: { cidr: '192.168.10.12/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] });
  expect(policy.metadata.annotations?.['edgewatt.io/open-egress-ports']).toBeUndefined();
  expect(gate(out.entries, out.flows)).toEqual([]);
  const t = copy(out);
  (t.get(EVENTER_POLICY)!.object as any).spec.egress[1].to = [{ ipBlock: { cidr: '192.168.10.11/32' } }];
  expect(blocked(gate(t, out.flows), EVENTER_FLOW, out.flows)).toEqual([expect.stringMatching(/API server's endpoints \(192\.168\.10\.11\/32, 192\.168\.10\.12\/32\) on port 6443\/TCP/)]);
});

test('on OpenShift, DNS is the DNS operator\'s pods on 5353, which the gate admits as the cluster DNS', () => {
  const stack = clone(demoStack()) as any;
  stack.clusters[0].platform = 'openshift';
  const out = output(stack);
  const policy = out.entries.get(EVENTER_POLICY)!.object as any;
  expect(policy.spec.egress[0]).toEqual({
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } }],
    ports: [{ port: 5353, protocol: 'UDP' }, { port: 5353, protocol: 'TCP' }],
  });
  expect(blocked(gate(out.entries, out.flows), EVENTER_FLOW, out.flows)).toEqual([]);
  // Its API server serves on 6443.
  expect(policy.spec.egress[1].ports).toEqual([{ port: 6443, protocol: 'TCP' }]);
});

test('with clusters[].dnsCIDRs (NodeLocal DNSCache) the DNS rule also admits those addresses on 53', () => {
  const stack = clone(demoStack()) as any;
  stack.clusters[1].dnsCIDRs = ['169.254.20.10/32', '10.96.0.10/32'];
  const out = output(stack);
  const policy = out.entries.get('dist/line-1/events/networkpolicy-kube-eventer.yaml')!.object as any;
  expect(policy.spec.egress[0]).toEqual({
    to: [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
      { ipBlock: { cidr: '169.254.20.10/32' } },
      { ipBlock: { cidr: '10.96.0.10/32' } },
    ],
    ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  });
  expect(gate(out.entries, out.flows)).toEqual([]);
  // The hub, without them, keeps the pods only.
  expect((out.entries.get(EVENTER_POLICY)!.object as any).spec.egress[0].to).toHaveLength(1);
});
