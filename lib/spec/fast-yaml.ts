import { FAILSAFE_SCHEMA, load, loadAll, LoadOptions, Type } from 'js-yaml';
import { Document, isScalar, parse, Scalar } from 'yaml';

/**
 * A quick reader for large stack.yaml files (and for the YAML data values the gates read, lib/validate/flows/
 * parsed.ts), giving exactly what the reference reader (the `yaml` package's
 * parseDocument and toJS, lib/spec/parse.ts) gives, or nothing.
 *
 * The reference reader keeps a node with its source range for every value, for the line numbers of problems: a
 * 100,000-device stack.yaml (10.7 MB) took 6–11 s and about 800 MB to read. js-yaml (v4, which reads as it goes;
 * v5 first lists every parser event, 2.5 times slower here and twice the memory) reads it in about 0.7 s.
 * The two agree on the YAML a stack file is made of (block and flow collections, quoted, plain and block
 * scalars, comments; checked by test/spec/fast-yaml.test.ts against the reference on generated documents), and
 * this reader makes the rest agree:
 * - **Plain scalars** are resolved by the reference's own YAML 1.2 core-schema tags (their `test` and `resolve`,
 *   tried in the reference's order, as yaml's compose-scalar.ts `findScalarTagByTest` does), not by js-yaml's, which
 *   differ at the edges (`0b101`, `+0x1F`, `-0o7`, `-.5`, `1e400`).
 * - **What it leaves to the reference** (returns undefined): any text with one of REFERENCE_ONLY (checked on the
 *   raw text, so a string that merely contains one counts too); a quoted scalar or flow collection over several
 *   lines (the readers differ on how far its lines must be indented; js-yaml's listener finds them); anything
 *   js-yaml rejects (duplicate keys, several documents, bad indentation, nesting past its depth limit); an empty
 *   document; and a mapping key `null` (a null key is `""` to the reference and `"null"` to js-yaml). The
 *   reference then reads the text and gives its own errors and line numbers.
 */
export function fastYaml(text: string): { readonly value: unknown } | undefined {
  if (REFERENCE_ONLY.some(([, re]) => re.test(text))) return undefined;
  const read = jsYaml(text, load);
  return read === undefined || read.value === undefined || hasNullKey(read.value) ? undefined : { value: read.value };
}

/**
 * What js-yaml reads of `text` with `loader` (load or loadAll) and the core schema's plain scalars, or undefined when
 * it throws or a quoted scalar or flow collection spans several lines (see fastYaml); with `indentedQuotes`, a quoted
 * scalar over lines indented as the reference wants them (quotedLinesIndented) is read.
 */
function jsYaml<T>(text: string, loader: (text: string, options: LoadOptions) => T, indentedQuotes = false): { readonly value: T } | undefined {
  let value: T;
  let multiLine = false;
  const opened: number[] = [];
  try {
    // A text without a quote or a bracket (a generated fleet's stack.yaml often) has no node the listener looks for;
    // js-yaml then reads without calling it for every node (~0.13 s of 0.55 s on a 100,000-device stack).
    value = !QUOTE_OR_FLOW.test(text)
      ? loader(text, { schema: SCHEMA })
      : loader(text, {
          schema: SCHEMA,
          listener: (event, state) => {
            if (event === 'open') opened.push(state.position);
            else {
              const from = opened.pop() as number;
              if (!multiLine) multiLine = flowOverLines(text, from, state.position, state.kind, indentedQuotes);
            }
          },
        });
  } catch {
    return undefined;
  }
  return multiLine ? undefined : { value };
}

/**
 * The reference's documents of a text (the `yaml` package's parseAllDocuments, then toJS of each with
 * `maxAliasCount: 1000`), read by js-yaml when it can, for large files of trusted YAML written by tools: the CRD files
 * of the schema gate (lib/validate/crds.ts), where yaml took ~0.5 s of the bundled example's synth for two files (the
 * Argo CD Application's and Flotta's EdgeWorkload's, 0.9 MB) and js-yaml takes ~0.08 s. Their prose (descriptions)
 * is full of `*`, `&` and backslashes, which send any text to the reference in fastYaml, so here:
 * - anchors and aliases are read, and the values must be trees: a value reached twice (an alias of a mapping or a
 *   list) sends the text to the reference; an alias of a scalar is that scalar to both readers, and with at most
 *   1,000 `*` in the text no anchor is used past the reference's limit;
 * - backslashes are read (a double-quoted scalar's escapes: the readers agree on each but `\U` past U+10FFFF, an
 *   error to the reference; checked on generated escapes by test/spec/fast-yaml.test.ts);
 * - a quoted scalar over several lines is read when its lines are indented as the reference wants (CRD files
 *   written by older tools fold long descriptions so; see quotedLinesIndented); a flow collection over lines is not;
 * - tags and directives still go to the reference (a `!` where a node may start, a `%` at a line start), and so does
 *   every other rule of REFERENCE_ONLY, and an empty document or none (the reference gives a null for one, js-yaml
 *   may not).
 * Returns undefined for what it leaves to the reference, which then gives its own documents and errors.
 */
export function fastYamlDocuments(text: string): { readonly values: ReadonlyArray<unknown> } | undefined {
  if (DOCUMENTS_REFERENCE_ONLY.some(([, re]) => re.test(text))) return undefined;
  const read = jsYaml(text, (t, options) => loadAll(t, null, options), true);
  if (read === undefined || read.value.length === 0) return undefined;
  const seen = new Set<object>();
  for (const v of read.value) if (v === null || v === undefined || !isTree(v, seen) || hasNullKey(v)) return undefined;
  return { values: read.value };
}

/**
 * The reference's `parse(text)` (the `yaml` package, YAML 1.2 core schema), read by fastYaml when it can: the same
 * value, sooner. Throws as `parse` does (only the reference ever reads a text fastYaml leaves to it).
 */
export function readYaml(text: string): unknown {
  const fast = fastYaml(text);
  return fast !== undefined ? fast.value : parse(text);
}

/**
 * What the two readers read differently (found by reading both, by the differential test and by review), so a
 * text with any of them goes to the reference.
 */
export const REFERENCE_ONLY: ReadonlyArray<readonly [what: string, pattern: { test(text: string): boolean }]> = [
  ['anchors, aliases, tags and directives', /[&*!%]/],
  ['tabs (indentation rules differ)', /\t/],
  ['a carriage return not followed by a line feed (a line break to js-yaml, text to the reference)', /\r(?!\n)/],
  ['backslashes (escapes such as \\U00110000 differ)', /\\/],
  // A block scalar's header starts its node, so it follows a line start or a space (a tag or anchor before it, `!`
  // or `&`, already goes to the reference): `regex: "[0-9]|[1-9]"` (a relabel rule of prometheus.yml) has none.
  ['a block scalar indentation indicator (`|1-` then ` a` is "a" to the reference, " a" to js-yaml)', /(?:^|[ \t\uFEFF])[|>][-+]?[1-9]/m],
  ['a collection or explicit key (`[a]: 1`, `{[a]:b}`, `? x`: js-yaml makes "a" of [a])', /[\]}]\s*:|\?(?:\s|$)/m],
  ['a comment right after a quote or bracket (`"x"#c`: an error to the reference)', /["'\]}]#/],
  ['a document marker with anything after it on its line (`---a`, `--- a: 1`)', /^(?:---|\.\.\.)(?![ ]*(?:\r?\n|$))/m],
  // Line breaks looked up one after another (indexOf): ~0.33 s on a 10.7 MB stack unanchored, ~0.06 s as /^[^\n]{1001}/m.
  ['a line over 1,000 characters (the reference limits implicit keys to 1,024 characters of source)', { test: (text: string) => hasLineOver(text, 1000) }],
  ['a byte order mark anywhere (the reference skips one after a line break, js-yaml keeps it as text)', /\uFEFF/],
  ['a last line of spaces without a line break (a kept block scalar, `|+`, counts it as a line to js-yaml only)', /\n[ ]+$/],
  // Found by the differential test (seed 411413550): after an empty entry ending a nested list, js-yaml takes the next,
  // less indented entry into that list (`- - x\n  -\n- y` is [["x",null,"y"]] to it, [["x",null],"y"] to the
  // reference): js-yaml 4.3.2 lib/loader.js readBlockSequence (nodeca/js-yaml, the npm package) pushes null for an
  // empty entry whose next line is indented no deeper than the list's parent and reads on without checking that the
  // next entry sits at the list's own indentation. A `-` ending its line (a comment after it counts) sends the text
  // to the reference; ~9 ms on 10.7 MB.
  ['a `-` ending its line (an empty list entry: js-yaml may take the next, less indented entry into its list)', /(?:^|[ ])-[ ]*(?:#[^\n]*)?\r?$/m],
];

/**
 * fastYamlDocuments' rules: REFERENCE_ONLY's, but for anchors, aliases and backslashes, which it checks otherwise.
 */
export const DOCUMENTS_REFERENCE_ONLY: ReadonlyArray<readonly [what: string, pattern: { test(text: string): boolean }]> = [
  ['tags and directives (a `!` where a node may start, a `%` at a line start)', /(?:^|[\s[{,:])!|^%/m],
  ['an eight-digit escape (`\\U00110000` is an error to the reference, two characters to js-yaml)', /\\U/],
  ['more than 1,000 `*` (an anchor used past the reference\'s maxAliasCount)', { test: (text: string) => countOf(text, '*') > 1000 }],
  ...REFERENCE_ONLY.filter(([what]) => !what.startsWith('anchors, aliases') && !what.startsWith('backslashes')),
];

/** How often `c` occurs in `text`. */
function countOf(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/** Whether no object or array under `root` (nor root) is in `seen` or reached twice; adds them to `seen`. */
function isTree(root: object, seen: Set<object>): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) return false;
    seen.add(v);
    for (const x of Object.values(v as object)) if (x !== null && typeof x === 'object') stack.push(x);
  }
  return true;
}

/** Whether a line of `text` (split at \n, a \r kept) is longer than `max` characters. */
function hasLineOver(text: string, max: number): boolean {
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    if (nl - from > max) return true;
    from = nl + 1;
  }
  return text.length - from > max;
}

/** What a quoted scalar or a flow collection starts with: a text without any has neither, over several lines or not. */
const QUOTE_OR_FLOW = /["'[{]/;

/**
 * Whether the node read from `from` to `to` (js-yaml's listener: from before the space ahead of it) is a quoted
 * scalar or a flow collection over several lines (comments and space before it skipped). A block mapping whose
 * first key is quoted is not one (its kind is a mapping).
 */
function flowOverLines(text: string, from: number, to: number, kind: string | null, indentedQuotes: boolean): boolean {
  let i = from;
  for (;;) {
    while (i < to && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r')) i++;
    if (text[i] !== '#') break;
    while (i < to && text[i] !== '\n') i++;
  }
  const c = text[i];
  const quoted = c === "'" || c === '"';
  const flow = quoted ? kind === 'scalar' : c === '[' || c === '{';
  if (!flow) return false;
  const nl = text.indexOf('\n', i);
  if (nl < 0 || nl >= to) return false;
  return !(quoted && indentedQuotes && quotedLinesIndented(text, i, nl, to));
}

/**
 * Whether the quoted scalar from `start` to `to` (its first line break at `nl`) is one both readers read alike: the
 * reference wants each of its further lines indented past the block collection it is in (js-yaml reads any), so
 * each line with text must be indented past the column where its first line's content starts after the spaces and
 * list dashes (the column of the mapping whose value it is, or past it: stricter than needed for a list item). A
 * mapping's key over several lines, an error to the reference, is one to js-yaml too.
 */
function quotedLinesIndented(text: string, start: number, nl: number, to: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const column = /^[ ]*(?:-[ ]+)*/.exec(text.slice(lineStart, start))![0].length;
  for (let at = nl; at >= 0 && at < to; at = text.indexOf('\n', at + 1)) {
    let j = at + 1;
    while (text[j] === ' ') j++;
    if (j - at - 1 <= column && j < to && text[j] !== '\n' && text[j] !== '\r') return false;
  }
  return true;
}

/** The reference's YAML 1.2 core-schema scalar tags that resolve plain scalars, in its order, and its options. */
const reference = new Document(null);
const CORE_TAGS = reference.schema.tags.filter((t): t is typeof t & { test: RegExp } => t.default === true && 'test' in t && t.test instanceof RegExp);

/** A plain scalar the reference would resolve with an error (none of the core tags does): left to the reference. */
class Unresolvable extends Error {}

/** Only a plain scalar that starts so (or is empty) can be anything but a string in the core schema. */
const MAYBE_NOT_STRING = /^(?:$|[-+.~0-9nNtTfF])/;

/** The first core tag of the reference that resolves `source`, if any. */
function coreTagOf(source: string): (typeof CORE_TAGS)[number] | undefined {
  return MAYBE_NOT_STRING.test(source) ? CORE_TAGS.find((t) => t.test.test(source)) : undefined;
}

/**
 * One implicit type for every plain scalar (js-yaml tries implicit types only on plain scalars): the first
 * core tag of the reference whose test matches resolves it (null, bool, int, float), else it stays a string.
 * Never used for an explicit tag (texts with `!` go to the reference) nor for dumping.
 */
const corePlainScalar = new Type('tag:edgewatt.io,2026:yaml-core-plain', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && coreTagOf(data) !== undefined,
  construct: (data: string) => {
    const tag = coreTagOf(data) as (typeof CORE_TAGS)[number];
    const out = (tag.resolve as (s: string, onError: (m: string) => void, options: unknown) => unknown)(
      data,
      (m) => {
        throw new Unresolvable(m);
      },
      reference.options,
    );
    return isScalar(out) ? (out as Scalar).value : out;
  },
});

const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [corePlainScalar] });

/** Whether any mapping in `root` has the key `null` (see fastYaml); without recursion. */
function hasNullKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, 'null')) return true;
    for (const x of Object.values(v as object)) if (x !== null && typeof x === 'object') stack.push(x);
  }
  return false;
}
