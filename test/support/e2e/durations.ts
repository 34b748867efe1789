// The package is ESM-typed but ships CommonJS: load it with require, as lib/validate/promql.ts does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

/**
 * Prometheus durations (`1h30m`, `5m`, `250ms`), and the time compression of the end-to-end fixture: every
 * duration of the system divided by one factor, so that a 10-minute `for:` takes 20 s at 30×.
 */

const UNIT_MS: Record<string, number> = { y: 365 * 86400e3, w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3, ms: 1 };
const PART = /(\d+)(ms|y|w|d|h|m|s)/g;

/** Milliseconds of a Prometheus duration; throws on anything else. */
export function parseDuration(text: string): number {
  if (!/^(\d+(ms|y|w|d|h|m|s))+$/.test(text)) throw new Error(`not a Prometheus duration: "${text}"`);
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** A Prometheus duration for `ms` (compound, largest units first: 90000 → 1m30s). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`cannot write ${ms} ms as a Prometheus duration`);
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return out;
}

/** A duration divided by `factor`, rounded to whole milliseconds, never below `floorMs`. */
export function scaleDuration(text: string, factor: number, floorMs = 1): string {
  return formatDuration(Math.max(floorMs, Math.round(parseDuration(text) / factor)));
}

/**
 * A PromQL expression with every duration literal (range selectors, subquery range and step, offsets)
 * divided by `factor`, found with Prometheus's own grammar (@prometheus-io/lezer-promql), so label values
 * that look like durations are left alone. Everything else is unchanged.
 */
export function scalePromQL(expr: string, factor: number): string {
  const spans: Array<{ from: number; to: number }> = [];
  let error: number | undefined;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError && error === undefined) error = n.from;
      if (n.name === 'NumberDurationLiteralInDurationContext') spans.push({ from: n.from, to: n.to });
    },
  });
  if (error !== undefined) throw new Error(`PromQL does not parse at offset ${error}: ${expr}`);
  let out = expr;
  for (const s of spans.sort((a, b) => b.from - a.from)) {
    // Each duration keeps a floor of 1 s: a range below the scrape interval would select nothing.
    out = `${out.slice(0, s.from)}${scaleDuration(expr.slice(s.from, s.to), factor, 1000)}${out.slice(s.to)}`;
  }
  return out;
}
