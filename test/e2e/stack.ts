import { isSelected, StackInput, StackModel } from '../../lib/internal';
import { FakeNode } from '../support/e2e/pods';
import { clone, demoStack } from '../support/stacks';

/** The webhook URL of the end-to-end stack's receiver; the fixture points it at a loopback server. */
export const WEBHOOK_URL = 'https://alerts.factory.example/edgewatt';

/** The bundled example with an on-call webhook receiver that takes warnings and critical alerts. */
export function e2eStack(): StackInput {
  const s = clone(demoStack()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  s.monitoring.alertmanager = {
    receivers: [{ name: 'on-call', webhook: { url: WEBHOOK_URL, tokenSecret: { name: 'alert-webhook', key: 'token' } } }],
    routes: [{ receiver: 'on-call', matchers: ['severity=~"warning|critical"'] }],
  };
  return s as StackInput;
}

/** A fake fleet: `count` nodes per cluster, the first `critical` of them labelled tier=critical. */
export function fakeNodes(cluster: string, count: number, critical: number): FakeNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${cluster}-node-${String(i).padStart(2, '0')}`, labels: { 'kubernetes.io/hostname': `${cluster}-node-${i}`, ...(i < critical ? { tier: 'critical' } : {}) } }));
}

/** The nodes whose per-node targets the stack's selection policy keeps (the prediction of lib/monitoring/hashmod). */
export function selectedNodes(model: StackModel, nodes: ReadonlyArray<FakeNode>): string[] {
  return nodes.filter((n) => isSelected(n.name, n.labels, model.monitoring?.selection)).map((n) => n.name);
}
