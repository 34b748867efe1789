import { MetricSpec } from '../../../lib/internal';

/**
 * Series a fake exporter serves, in the Prometheus text exposition format (version 0.0.4), with values that
 * are functions of time so that rates are known exactly: a counter of joules grows by its watts each second.
 */

/** One series: labels and a value at a time (ms since the epoch). */
export interface FakeSeries {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: (nowMs: number) => number;
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The exposition text of the series at `nowMs`, families grouped with their TYPE line. */
export function exposition(series: ReadonlyArray<FakeSeries>, nowMs: number): string {
  const byName = new Map<string, FakeSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} ${list[0].type}`);
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
      lines.push(`${name}${labels ? `{${labels}}` : ''} ${s.value(nowMs)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A counter that grows by `perSecond` each second from `startMs`, starting at `base`. */
export function counter(perSecond: number, startMs: number, base = 1000): (nowMs: number) => number {
  return (now) => base + (perSecond * (now - startMs)) / 1000;
}

/**
 * Series for every family of a metric catalog (lib/energy/catalog.ts): each label gets the value `labelValue`
 * chooses (or `<label>-0`); joules counters grow by `watts(spec, labels)`, `_watts` gauges hold it, other
 * counters grow by 1/s, other gauges hold 1.
 */
export function catalogSeries(
  catalog: ReadonlyArray<MetricSpec>,
  startMs: number,
  labelSets: (spec: MetricSpec) => ReadonlyArray<Record<string, string>>,
  watts: (spec: MetricSpec, labels: Readonly<Record<string, string>>) => number,
): FakeSeries[] {
  const out: FakeSeries[] = [];
  for (const spec of catalog) {
    for (const labels of labelSets(spec)) {
      const w = watts(spec, labels);
      const value = spec.name.endsWith('_joules_total') ? counter(w, startMs) : spec.name.endsWith('_watts') ? () => w : spec.type === 'counter' ? counter(1, startMs) : () => 1;
      out.push({ name: spec.name, type: spec.type, labels, value });
    }
  }
  return out;
}
