import { perSegment, Segments } from './segments';
import { parsedData } from './flows/parsed';
import { findExpressions, FoundExpr, selectedMetricNames } from './promql';
import { Json } from './pods';
import { Entry, Finding } from './types';

/** Names recorded by recording rules anywhere in the output. */
export function recordedNames(entries: ReadonlyArray<Entry>): Set<string> {
  const out = new Set<string>();
  const fromGroups = (doc: Json) => (doc?.groups ?? []).forEach((g: Json) => (g?.rules ?? []).forEach((r: Json) => typeof r?.record === 'string' && out.add(r.record)));
  for (const e of entries) {
    const o = e.object as Json;
    if (o.kind === 'PrometheusRule') fromGroups(o.spec);
    if (o.kind === 'ConfigMap') {
      for (const [key, text] of Object.entries((o.data ?? {}) as Record<string, string>)) {
        if (!/\.ya?ml$/.test(key) || !text.includes('record:')) continue;
        // Parsed once per text for every gate that reads it; null when not YAML (nothing recorded).
        fromGroups(parsedData(text));
      }
    }
  }
  return out;
}

/** The names a list's recording rules record (recordedNames), kept with a synth's unchanged folder. */
const recordedIn = perSegment((list): ReadonlySet<string> => recordedNames(list));

/**
 * The metric-name check: every metric an expression selects is emitted by a known exporter (its catalog)
 * or recorded by a recording rule in the output. Catches a misspelled or renamed metric before a panel
 * or an alert silently shows nothing. `found` is findExpressions(entries), when the caller has it; `segments`: the entries as consecutive lists
 * (lib/validate/segments.ts; @default one list, the entries).
 */
export function checkMetricNames(entries: ReadonlyArray<Entry>, catalog: ReadonlySet<string>, found: ReadonlyArray<FoundExpr> = findExpressions(entries), segments: Segments = [entries]): Finding[] {
  const known = new Set(catalog);
  for (const list of segments) for (const name of recordedIn(list)) known.add(name);
  const out: Finding[] = [];
  for (const f of found) {
    const unknown = selectedMetricNames(f.expr).filter((n) => !known.has(n) && !n.startsWith('__grafana_var_'));
    if (unknown.length === 0) continue;
    const [pointer, inner] = f.where.includes(': ') ? f.where.split(': ') : [f.where, ''];
    out.push({
      file: f.entry.file,
      pointer,
      message: `${inner ? `${inner}: ` : ''}uses ${unknown.map((n) => `"${n}"`).join(', ')}, which no exporter of this stack emits and no recording rule records`,
    });
  }
  return out;
}
