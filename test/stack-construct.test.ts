import { App, Testing } from 'cdk8s';
import { EdgewattStack, SpecError, synthesize } from '../lib';
import { demoStack } from './support/stacks';

describe('EdgewattStack construct', () => {
  test('adds one chart per (cluster, component) to a user app, with the same objects as the synthesizer', () => {
    const app = Testing.app();
    const stack = new EdgewattStack(app, 'platform', demoStack());
    expect([...stack.charts.keys()]).toEqual(['hub/platform', 'hub/energy', 'hub/monitoring', 'hub/events', 'hub/fleet', 'hub/dashboards', 'line-1/platform', 'line-1/energy', 'line-1/monitoring', 'line-1/events', 'line-1/iomt']);
    const fromConstruct = [...stack.charts.values()].flatMap((c) => c.toJson()).map((o) => `${o.kind}/${o.metadata.name}`);
    const fromSynth = synthesize(demoStack()).manifests.flatMap((m) => m.objects).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(fromConstruct).toEqual(fromSynth);
    expect(() => new App({ outdir: '/tmp/unused' }).synthYaml()).not.toThrow();
  });

  test('throws a SpecError on bad props at construction', () => {
    expect(() => new EdgewattStack(Testing.app(), 'x', { name: 'Bad', clusters: [{ name: 'a' }] })).toThrow(SpecError);
  });
});
