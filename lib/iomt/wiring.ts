import { PipelineModel, ThingModel } from '../model/types';
import { fitLabelValue } from '../core/labels';

/** The DNS name of a thing's Service. */
export function thingHost(p: PipelineModel, thing: string): string {
  return `${thing}.${p.namespace}.svc.cluster.local`;
}

/** The environment-variable stem of a thing: `object-detect` → `IOMT_OBJECT_DETECT`. */
export function envStem(thing: string): string {
  return `IOMT_${thing.toUpperCase().replace(/-/g, '_')}`;
}

/** `IOMT_<UPSTREAM>_URL`, `_HOST`, `_PORT` for each upstream of `thing`, computed from the upstream's Service. */
export function upstreamEnv(p: PipelineModel, thing: ThingModel): Array<{ name: string; value: string }> {
  const byName = new Map(p.things.map((t) => [t.name, t]));
  const ups = p.links.filter((l) => l.to === thing.name).map((l) => byName.get(l.from)!).sort((a, b) => (a.name < b.name ? -1 : 1));
  return ups.flatMap((u) => {
    const host = thingHost(p, u.name);
    const stem = envStem(u.name);
    return [
      { name: `${stem}_HOST`, value: host },
      { name: `${stem}_PORT`, value: String(u.port) },
      { name: `${stem}_URL`, value: `${u.protocol}://${host}:${u.port}` },
    ];
  });
}

/** The things that connect to `thing` (its consumers): the connection goes from consumer to producer. */
export function consumersOf(p: PipelineModel, thing: string): string[] {
  return [...new Set(p.links.filter((l) => l.from === thing).map((l) => l.to))].sort();
}

/** The instance label of a thing: `<pipeline>-<thing>`, shortened with a stable hash past 63 characters. */
export function thingInstance(pipeline: string, thing: string): string {
  return fitLabelValue(`${pipeline}-${thing}`);
}

/** Labels of a thing's pods. */
export function thingLabels(p: PipelineModel, t: ThingModel): Record<string, string> {
  return {
    'app.kubernetes.io/name': t.name,
    'app.kubernetes.io/instance': thingInstance(p.name, t.name),
    'app.kubernetes.io/component': t.kind,
    'app.kubernetes.io/part-of': p.name,
  };
}

/** Labels that select a thing's pods (no component or part-of, which a rename could change). */
export function thingSelector(p: PipelineModel, t: ThingModel): Record<string, string> {
  return { 'app.kubernetes.io/name': t.name, 'app.kubernetes.io/instance': thingInstance(p.name, t.name) };
}
