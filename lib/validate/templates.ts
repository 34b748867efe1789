import { parsedData } from './flows/parsed';
import { Json } from './pods';
import { Entry, Finding } from './types';
import { escapePointerKey } from './pointer';

/**
 * Why `text` is not a Go text/template that parses, or undefined: the checks of Go's template lexer and
 * parser that user text can trip (golang/go src/text/template/parse/lex.go and parse.go, go1.24): an
 * action `{{ … }}` left open, an unterminated string in an action, unbalanced parentheses, an empty action,
 * and `if`/`range`/`with`/`define`/`block` without their `{{end}}`. Prometheus expands alert labels and
 * annotations with this template engine and refuses a rule file whose templates do not parse
 * (prometheus/prometheus rules/manager.go, template/template.go, v3.5.0); Alertmanager does the same for
 * receiver fields.
 */
export function goTemplateProblem(text: string): string | undefined {
  let i = 0;
  const blocks: string[] = [];
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    let j = open + 2;
    if (text[j] === '-' && /\s/.test(text[j + 1] ?? '')) j += 2;
    if (text.startsWith('/*', j)) {
      // A comment is a whole action: `{{/* … */}}` or with trim markers `{{- /* … */ -}}` (lex.go lexComment).
      const end = text.indexOf('*/', j + 2);
      if (end < 0) return 'unclosed comment';
      const after = end + 2;
      const close = text.startsWith('}}', after) ? after : text.startsWith(' -}}', after) ? after + 2 : -1;
      if (close < 0) return 'comment ends before closing delimiter: write it as {{/* … */}}';
      i = close + 2;
      continue;
    }
    let depth = 0;
    let body = '';
    let closed = false;
    while (j < text.length) {
      const c = text[j];
      if (c === '"' || c === '`' || c === "'") {
        const q = c;
        let k = j + 1;
        while (k < text.length && text[k] !== q) {
          if (q !== '`' && text[k] === '\\') k++;
          if (q !== '`' && text[k] === '\n') return 'unterminated quoted string in an action';
          k++;
        }
        if (k >= text.length) return 'unterminated quoted string in an action';
        body += 'S';
        j = k + 1;
        continue;
      }
      if (text.startsWith('}}', j)) {
        closed = true;
        break;
      }
      if (c === '(') depth++;
      if (c === ')' && --depth < 0) return 'unexpected right parenthesis in an action';
      if (c === '{' && text[j + 1] === '{') return 'unclosed action ("{{" inside an action)';
      body += c;
      j++;
    }
    if (!closed) return 'unclosed action: a "{{" without its "}}"';
    if (depth > 0) return 'unclosed left parenthesis in an action';
    const words = body.replace(/-\s*$/, '').trim();
    if (words === '') return 'missing value for command: an empty action "{{}}"';
    const first = words.split(/\s+/)[0];
    if (['if', 'range', 'with', 'define', 'block'].includes(first)) blocks.push(first);
    else if (first === 'end' && blocks.pop() === undefined) return 'unexpected {{end}}';
    i = j + 2;
  }
  if (blocks.length > 0) return `unexpected EOF: {{${blocks[blocks.length - 1]}}} without its {{end}}`;
  return undefined;
}

function rules(doc: Json, at: string, add: (pointer: string, message: string) => void): void {
  ((doc?.groups ?? []) as Json[]).forEach((g, i) =>
    ((g?.rules ?? []) as Json[]).forEach((r, j) => {
      for (const field of ['labels', 'annotations']) {
        for (const [k, v] of Object.entries((r?.[field] ?? {}) as Record<string, unknown>)) {
          const p = typeof v === 'string' ? goTemplateProblem(v) : undefined;
          if (p) add(`${at}groups[${i}].rules[${j}].${field}.${k}`, p);
        }
      }
    }),
  );
}

function strings(v: unknown, at: string, add: (pointer: string, message: string) => void): void {
  if (typeof v === 'string') {
    const p = goTemplateProblem(v);
    if (p) add(at, p);
  } else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${at}[${i}]`, add));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${at}.${k}`, add);
}

/**
 * The template gate: every alerting rule's labels and annotations (PrometheusRule objects and rule files in
 * ConfigMaps) and every receiver field of an Alertmanager configuration parse as Go templates.
 */
export function checkTemplates(entries: ReadonlyArray<Entry>): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    const o = e.object as Json;
    const add = (base: string) => (inner: string, message: string): void =>
      void out.push({ file: e.file, pointer: base, message: `${inner}: ${message}: Prometheus and Alertmanager would refuse this template; escape "{{" as {{ "{{" }} or remove it (go-template)` });
    if (o.kind === 'PrometheusRule') rules(o.spec, '', add('/spec'));
    if (o.kind !== 'ConfigMap') continue;
    for (const [key, text] of Object.entries((o.data ?? {}) as Record<string, string>)) {
      if (!/\.ya?ml$/.test(key) || !text.includes('{{')) continue;
      // Parsed once per text for every gate that reads it (null: not YAML).
      const doc = parsedData(text) as Json;
      if (doc?.groups) rules(doc, '', add(`/data/${escapePointerKey(key)}`));
      if (doc?.route && doc?.receivers) strings(doc.receivers, 'receivers', add(`/data/${escapePointerKey(key)}`));
    }
  }
  return out;
}
