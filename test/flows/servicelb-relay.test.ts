/**
 * k3s's ServiceLB relays a LoadBalancer Service's connections through its svclb pods, which admit only the source
 * ranges and then replace the source address (klipper-lb MASQUERADE): on a k3s cluster the NetworkPolicy of what a
 * LoadBalancer exposes admits those pods beside the source CIDRs, and the flow gate proves it (lib/core/exposure.ts
 * serviceLBRelay). The demo's hub is k3s; its device gateway is exposed by LoadBalancer to the devices' network.
 */
import { describeFlow } from '../../lib/core/flows';
import { findingsToProblems, validateEntries } from '../../lib/validate';
import { clone, demoStack } from '../support/stacks';
import { flowOutput } from '../support/flow-output';

const output = flowOutput;

const GATEWAY_POLICY = 'dist/hub/monitoring/networkpolicy-device-metrics-gateway.yaml';
const SVCLB = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'svccontroller.k3s.cattle.io/svcname': 'device-metrics-gateway-external', 'svccontroller.k3s.cattle.io/svcnamespace': 'monitoring' } },
};

test('on k3s the device gateway admits the devices\' network and the svclb pods of its LoadBalancer Service; the flow gate fails without them', () => {
  const demo = output(demoStack());
  const from = (demo.entries.get(GATEWAY_POLICY)!.object as any).spec.ingress[0].from;
  expect(from).toEqual([{ ipBlock: { cidr: '10.20.0.0/24' } }, SVCLB]);
  const device = demo.flows.filter((f) => f.purpose === 'device-remote-write');
  expect(device.length).toBe(3);
  for (const f of device) expect(f.relay).toEqual({ namespace: 'kube-system', labels: SVCLB.podSelector.matchLabels });
  expect(findingsToProblems(validateEntries([...demo.entries.values()], { flows: demo.flows }))).toEqual([]);
  // The svclb peer taken out: every device set's path is blocked at the gateway's policy.
  const broken = new Map([...demo.entries].map(([k, e]) => [k, { ...e, object: clone(e.object) }]));
  (broken.get(GATEWAY_POLICY)!.object as any).spec.ingress[0].from = [{ ipBlock: { cidr: '10.20.0.0/24' } }];
  const problems = findingsToProblems(validateEntries([...broken.values()], { flows: demo.flows })).map((p) => `${p.path}: ${p.message}`);
  for (const f of device) {
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${GATEWAY_POLICY}: /spec/ingress: flow ${describeFlow(f).replace(/[()]/g, '\\$&')} is blocked .*pods that relay them.*k3s's ServiceLB`)));
  }
  // The source CIDR taken out instead: blocked too (the relay alone is not the path of every connection).
  (broken.get(GATEWAY_POLICY)!.object as any).spec.ingress[0].from = [SVCLB];
  const again = findingsToProblems(validateEntries([...broken.values()], { flows: demo.flows })).map((p) => p.message);
  expect(again.filter((m) => /no ingress rule admits addresses 10\.20\.0\.0\/24/.test(m))).toHaveLength(3);
});

test('elsewhere the load balancer keeps the client address: no relay peer, no relay in the flow', () => {
  const stack = clone(demoStack()) as any;
  stack.clusters[0].platform = 'kubeadm';
  const out = output(stack);
  expect((out.entries.get(GATEWAY_POLICY)!.object as any).spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.20.0.0/24' } }]);
  expect(out.flows.filter((f) => f.relay !== undefined)).toEqual([]);
  expect(findingsToProblems(validateEntries([...out.entries.values()], { flows: out.flows }))).toEqual([]);
});
