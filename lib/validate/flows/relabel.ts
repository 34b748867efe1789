import { RelabelConfig } from '../../monitoring/prometheus-config';
import { hashmod } from '../../monitoring/hashmod';
import { memoByString } from '../../core/memo';

/**
 * Prometheus relabeling, to predict whether a scrape job keeps a target. Semantics from prometheus/prometheus
 * model/relabel/relabel.go at v3.13.2 (the pinned image): defaults `separator: ";"`, `regex: "(.*)"`,
 * `replacement: "$1"`, `action: replace`; the regex is anchored as `^(?s:<regex>)$`; `keep`/`drop` test the
 * joined source values; `replace` writes the expanded replacement to the expanded target label when the regex
 * matches (an empty result deletes the label); `hashmod` writes md5(value)'s last 8 bytes mod `modulus`;
 * `labelmap`/`labeldrop`/`labelkeep` act on label names; `lowercase`/`uppercase`/`keepequal`/`dropequal` too.
 * Setting a label to "" deletes it, as Prometheus's labels.Builder does.
 *
 * Regexes are RE2 in Prometheus and run here on JavaScript's engine after translating RE2's spellings that
 * JavaScript writes otherwise (`(?P<name>` named groups, a leading `(?i)`); an RE2 construct JavaScript lacks is
 * an error, never a silent mismatch.
 */

/** One relabel rule as written in prometheus.yml (any action name: the gate reads configs it did not write). */
export type Relabel = Omit<RelabelConfig, 'action'> & { readonly action?: string };

/**
 * A compiled Prometheus regex (anchored, dot matches newline); compiled once per text (memoized: the same few
 * rules are evaluated for every flow and every candidate node). Safe to share: they carry no `g` or `y` flag, so
 * test and exec keep no state. A regex that does not compile is not kept, so it throws on every use.
 */
export const promRegex: (re: string) => RegExp = memoByString(compile);

function compile(re: string): RegExp {
  let flags = 's';
  let body = re;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    if (lead[1].includes('i')) flags += 'i';
    body = body.slice(lead[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<');
  if (/\(\?[imsU-]+[:)]/.test(body) || /\\[zApP]/.test(body) || /\[\[:/.test(body)) {
    throw new Error(`regex ${JSON.stringify(re)} uses an RE2 construct the flow gate does not evaluate (inline flags, \\z, \\p, POSIX classes)`);
  }
  return new RegExp(`^(?:${body})$`, flags);
}

/** Go's regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown group expands to "". */
export function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, d: string, braced?: string, bare?: string) => {
    if (d === '$') return '$';
    const name = braced ?? bare!;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

/** The labels after one rule, or undefined when the rule drops the target. */
export function relabelOnce(labels: ReadonlyMap<string, string>, r: Relabel): Map<string, string> | undefined {
  const out = new Map(labels);
  return applyRule(out, r) ? out : undefined;
}

/**
 * Applies one rule to `labels` in place; false when the rule drops the target. Every value the rule reads is
 * read before it writes, and the label-name actions walk a snapshot of the names, so the result is the same as
 * reading an unchanged copy (relabelOnce).
 */
function applyRule(labels: Map<string, string>, r: Relabel): boolean {
  const set = (k: string, v: string): void => {
    if (v === '') labels.delete(k);
    else labels.set(k, v);
  };
  const action = r.action ?? 'replace';
  const regex = r.regex ?? '(.*)';
  const re = promRegex(regex);
  const val = (r.source_labels ?? []).map((l) => labels.get(l) ?? '').join(r.separator ?? ';');
  const replacement = r.replacement ?? '$1';
  switch (action) {
    case 'keep':
      return re.test(val);
    case 'drop':
      return !re.test(val);
    case 'keepequal':
      return (labels.get(r.target_label ?? '') ?? '') === val;
    case 'dropequal':
      return (labels.get(r.target_label ?? '') ?? '') !== val;
    case 'replace': {
      const m = re.exec(val);
      if (!m) return true;
      const target = expand(r.target_label ?? '', m);
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(target)) return true;
      set(target, expand(replacement, m));
      return true;
    }
    case 'lowercase':
      set(r.target_label ?? '', val.toLowerCase());
      return true;
    case 'uppercase':
      set(r.target_label ?? '', val.toUpperCase());
      return true;
    case 'hashmod':
      set(r.target_label ?? '', String(hashmod(val, r.modulus ?? 0)));
      return true;
    case 'labelmap':
      for (const [k, v] of [...labels]) {
        const m = re.exec(k);
        if (m) set(expand(replacement, m), v);
      }
      return true;
    case 'labeldrop':
      for (const k of [...labels.keys()]) if (re.test(k)) labels.delete(k);
      return true;
    case 'labelkeep':
      for (const k of [...labels.keys()]) if (!re.test(k)) labels.delete(k);
      return true;
    default:
      throw new Error(`unknown relabel action ${JSON.stringify(action)}`);
  }
}

/**
 * Runs `rules` over a target's labels. Returns the final labels, or the index of the rule that dropped the
 * target.
 */
export function relabel(labels: Readonly<Record<string, string>>, rules: ReadonlyArray<Relabel>): { kept: true; labels: Map<string, string> } | { kept: false; droppedBy: number } {
  const cur: Map<string, string> = new Map(Object.entries(labels).filter(([, v]) => v !== ''));
  for (let i = 0; i < rules.length; i++) if (!applyRule(cur, rules[i])) return { kept: false, droppedBy: i };
  return { kept: true, labels: cur };
}
