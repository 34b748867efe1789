// The package is ESM-typed but ships CommonJS (exports.require → dist/index.cjs): load it with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });
import { concatLists, perSegment, Segments } from './segments';
import { memoByString } from '../core/memo';
import { parsedData } from './flows/parsed';
import { Json } from './pods';
import { Entry, Finding } from './types';
import { escapePointerKey } from './pointer';

/** A PromQL expression found in an object, with where it is. */
export interface FoundExpr {
  readonly entry: Entry;
  /** JSON pointer into the object, then a path inside an embedded document where there is one. */
  readonly where: string;
  readonly expr: string;
}

/** Grafana's built-in interval variables, replaced by a duration before parsing. */
const GRAFANA_INTERVALS = /\$(__rate_interval|__interval|__range|__interval_ms|__range_s|__range_ms)\b|\$\{(__rate_interval|__interval|__range)\}/g;

/** Replaces Grafana template variables so the rest parses as PromQL. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(GRAFANA_INTERVALS, '5m').replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)/g, (_m, a, _f, b) => `__grafana_var_${a ?? b}`);
}

/** Parses PromQL with lezer; the 0-based offset of the first syntax error, or undefined when it parses. */
function lezerErrorAt(expr: string): number | undefined {
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (at === undefined && n.type.isError) at = n.from;
      return at === undefined;
    },
  });
  return at;
}

/**
 * The operands of a top-level `or` chain (`a or b or c`), with their offsets; one operand when there is no such
 * chain. Brackets, braces, parentheses, quoted strings and comments are skipped. `or` binds loosest in PromQL, so
 * the chain parses exactly when every operand does (an operand starting with `on(`/`ignoring(` does not parse
 * alone: such a chain is reported, never passed, when lezer fails on it).
 */
export function orOperands(expr: string): Array<{ from: number; text: string }> {
  const out: Array<{ from: number; text: string }> = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < expr.length && expr[i] !== c; i++) if (expr[i] === '\\' && c !== '`') i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (depth === 0 && /\s/.test(c) && /^\sor\s/i.test(expr.slice(i, i + 4))) {
      out.push({ from: start, text: expr.slice(start, i) });
      start = i + 3;
      i += 2;
    }
  }
  out.push({ from: start, text: expr.slice(start) });
  return out;
}

/**
 * Parses PromQL; returns the 0-based offset of the first syntax error, or undefined when it parses.
 *
 * lezer gives up on long left-associative chains: after 300 reductions at one start it forces the parse out of
 * the production (github lezer-parser/lr src/parse.ts `Rec.MaxLeftAssociativeReductionCount = 300`, in the
 * installed @lezer/lr 1.4.12 dist/index.cjs) and reports a syntax error Prometheus does not (`absent(...) or ...`
 * over 200 clusters, which `promtool check rules` accepts). When lezer fails on a top-level `or` chain, each
 * operand is parsed alone instead.
 */
export function promqlErrorAt(expr: string): number | undefined {
  let at = lezerErrorAt(expr);
  if (at !== undefined) {
    const operands = orOperands(expr);
    if (operands.length > 1) {
      at = undefined;
      for (const o of operands) {
        const inner = o.text.trim() === '' ? 0 : lezerErrorAt(o.text);
        if (inner !== undefined) {
          at = o.from + inner;
          break;
        }
      }
    }
  }
  if (at === undefined && expr.trim() === '') at = 0;
  return at;
}

/** The metric names an expression selects (not label names or functions), sorted. */
export function metricNames(expr: string): string[] {
  return [...selectedMetricNames(expr)];
}

/**
 * metricNames, frozen, and memoized by the expression's text (memoByString, up to 1 Mi characters of text): a synth
 * checks the same few thousand rule and panel expressions as the one before, and parsing them again took ~50 ms of
 * every incremental synth at 100,000 devices.
 */
export const selectedMetricNames: (expr: string) => ReadonlyArray<string> = memoByString((expr) => Object.freeze(selectedNames(expr)), 1 << 20, (expr) => expr.length);

function selectedNames(expr: string): string[] {
  const names = new Set<string>();
  for (const o of lezerErrorAt(expr) === undefined ? [{ from: 0, text: expr }] : orOperands(expr)) {
    parser.parse(o.text).iterate({
      enter: (n) => {
        if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.add(o.text.slice(n.from, n.to));
      },
    });
  }
  return [...names].sort();
}

function rulesIn(doc: Json, where: string, entry: Entry, out: FoundExpr[]): void {
  (doc?.groups ?? []).forEach((g: Json, i: number) =>
    (g?.rules ?? []).forEach((r: Json, j: number) => {
      if (typeof r?.expr === 'string') out.push({ entry, where: `${where}groups[${i}].rules[${j}].expr`, expr: r.expr });
    }),
  );
}

function dashboardIn(doc: Json, where: string, entry: Entry, out: FoundExpr[]): void {
  const panels = (list: Json[], path: string): void =>
    (list ?? []).forEach((p: Json, i: number) => {
      (p?.targets ?? []).forEach((t: Json, j: number) => {
        if (typeof t?.expr === 'string') out.push({ entry, where: `${where}${path}[${i}].targets[${j}].expr`, expr: withoutGrafanaVariables(t.expr) });
      });
      panels(p?.panels, `${path}[${i}].panels`);
    });
  panels(doc?.panels, 'panels');
  (doc?.templating?.list ?? []).forEach((v: Json, i: number) => {
    if (v?.type !== 'query') return;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (typeof q !== 'string') return;
    const inner = /^\s*(label_values|query_result)\((.*)\)\s*$/s.exec(q);
    const expr = inner ? (inner[1] === 'label_values' ? inner[2].replace(/,\s*\w+\s*$/, '') : inner[2]) : q;
    if (inner?.[1] === 'label_values' && !expr.includes('(') && !expr.includes('{') && /^\s*\w+\s*$/.test(inner[2])) return; // label_values(label)
    out.push({ entry, where: `${where}templating.list[${i}].query`, expr: withoutGrafanaVariables(expr) });
  });
}

/** One list's expressions (findExpressions), kept for an unchanged folder (perSegment). */
const foundIn = perSegment((list): ReadonlyArray<FoundExpr> => Object.freeze(findExpressions(list)));

/** The expressions of lists of entries (lib/validate/segments.ts), an unchanged folder's as the last synth found them. */
export function findExpressionsIn(segments: Segments): FoundExpr[] {
  return concatLists(segments.map(foundIn));
}

/** Every PromQL expression in the objects: rule objects and files, dashboards, scaling triggers. */
export function findExpressions(entries: ReadonlyArray<Entry>): FoundExpr[] {
  const out: FoundExpr[] = [];
  // The loop only looks at kinds: what it finds is read by functions of their own, so V8 optimizes this small loop
  // (by on-stack replacement, once a synth) without them (session 36, docs/performance-history.md).
  for (const entry of entries) {
    const o = entry.object as Json;
    if (o.kind === 'PrometheusRule') rulesIn(o.spec, '/spec: ', entry, out);
    if (o.kind === 'ScaledObject') scaledObjectExpressions(entry, o, out);
    if (o.kind === 'ConfigMap') configMapExpressions(entry, o, out);
  }
  return out;
}

/** The PromQL queries of a ScaledObject's prometheus triggers (findExpressions). */
function scaledObjectExpressions(entry: Entry, o: Json, out: FoundExpr[]): void {
  (o.spec?.triggers ?? []).forEach((t: Json, i: number) => {
    if (t?.type === 'prometheus' && typeof t.metadata?.query === 'string') out.push({ entry, where: `/spec/triggers/${i}/metadata/query`, expr: t.metadata.query });
  });
}

/**
 * The PromQL expressions of a ConfigMap's rule files (`*.yml`, `*.yaml` whose text says `groups` or has an escape) and
 * Grafana dashboards (`*.json` with panels or templating) (findExpressions).
 */
function configMapExpressions(entry: Entry, o: Json, out: FoundExpr[]): void {
  for (const [key, text] of Object.entries((o.data ?? {}) as Record<string, string>)) {
    const where = `/data/${escapePointerKey(key)}: `;
    if (/\.ya?ml$/.test(key)) {
      // A rule file has a `groups` key; a YAML text without that word (and without escapes that could spell
      // it) has none, so big configs such as prometheus.yml are not parsed here.
      if (typeof text !== 'string' || (!text.includes('groups') && !text.includes('\\'))) continue;
      // Parsed once per text for every gate that reads it (null: not YAML, so not a rule file).
      const doc = parsedData(text);
      if (doc === null) continue;
      rulesIn(doc, where, entry, out);
    } else if (/\.json$/.test(key)) {
      let doc: Json;
      try {
        doc = JSON.parse(text);
      } catch {
        continue;
      }
      if (doc && (doc.panels || doc.templating)) dashboardIn(doc, where, entry, out);
    }
  }
}

/** The PromQL check: every expression parses. `found` is findExpressions(entries), when the caller has it. */
export function checkPromql(entries: ReadonlyArray<Entry>, found: ReadonlyArray<FoundExpr> = findExpressions(entries)): Finding[] {
  const out: Finding[] = [];
  const parsed = new Map<string, number | undefined>();
  for (const f of found) {
    // The same expression recurs in every cluster's dashboards and rules: parse each distinct one once.
    if (!parsed.has(f.expr)) parsed.set(f.expr, promqlErrorAt(f.expr));
    const at = parsed.get(f.expr);
    if (at === undefined) continue;
    const [pointer, inner] = f.where.includes(': ') ? f.where.split(': ') : [f.where, ''];
    out.push({
      file: f.entry.file,
      pointer,
      message: `${inner ? `${inner}: ` : ''}PromQL syntax error at character ${at + 1} of ${JSON.stringify(f.expr)}`,
    });
  }
  return out;
}
