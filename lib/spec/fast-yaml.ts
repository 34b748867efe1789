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
 * it throws or its listener finds a node the readers may read otherwise: a quoted scalar or flow collection over
 * several lines (see fastYaml), a flow collection that may be a key in a flow mapping, a top-level block scalar, a
 * block scalar whose first empty lines hold spaces, a plain scalar after a comment. For fastYamlDocuments
 * (`documents`): a quoted scalar over lines indented as the reference wants them (quotedLinesIndented) is read, and
 * a node with an anchor or an alias must be one both readers read alike (propertyReadAlike).
 */
function jsYaml<T>(text: string, loader: (text: string, options: LoadOptions) => T, documents = false): { readonly value: T } | undefined {
  let value: T;
  let refused = false;
  const opened: number[] = [];
  try {
    // A text without a quote, bracket, block scalar header or comment (a generated fleet's stack.yaml often), nor an
    // anchor or alias where they are read, has no node the listener looks for; js-yaml then reads without calling it
    // for every node (~0.13 s of 0.55 s on a 100,000-device stack).
    value = !LISTENED.test(text) && !(documents && /[&*]/.test(text))
      ? loader(text, { schema: SCHEMA })
      : loader(text, {
          schema: SCHEMA,
          listener: (event, state) => {
            if (refused) return;
            if (event === 'open') {
              refused = collectionKeyWithoutValue(text, state.position, opened);
              opened.push(state.position);
              return;
            }
            const from = opened.pop() as number;
            const i = contentStart(text, from, state.position);
            refused =
              flowOverLines(text, i, state.position, state.kind, documents) ||
              (opened.length === 0 && (text[i] === '|' || text[i] === '>')) ||
              blankLinesWithSpaces(text, i) ||
              commentBeforePlainScalar(text, from, i, state.kind) ||
              (documents && !propertyReadAlike(text, i));
          },
        });
  } catch {
    return undefined;
  }
  return refused ? undefined : { value };
}

/**
 * The reference's documents of a text (the `yaml` package's parseAllDocuments, then toJS of each with
 * `maxAliasCount: 1000`), read by js-yaml when it can, for large files of trusted YAML written by tools: the CRD files
 * of the schema gate (lib/validate/crds.ts), where yaml took ~0.5 s of the bundled example's synth for two files (the
 * Argo CD Application's and Flotta's EdgeWorkload's, 0.9 MB) and js-yaml takes ~0.08 s, and the files of a tree that
 * validate, flows and the live commands read (lib/validate/yaml-file.ts). Their prose (descriptions) is full of `*`,
 * `&` and backslashes, which send any text to the reference in fastYaml, so here:
 * - anchors and aliases are read where both readers read them alike: an anchor on a plain scalar on its line, an
 *   alias that is a whole value (propertyReadAlike, on the nodes js-yaml's listener opens, so prose that only looks
 *   like one stays quick), and the values must be trees: a value reached twice (an alias of a mapping or a list) sends
 *   the text to the reference; an alias of a scalar is that scalar to both readers, and with at most 1,000 `*` in the
 *   text no anchor is used past the reference's limit;
 * - backslashes are read (a double-quoted scalar's escapes: the readers agree on each but `\U` past U+10FFFF, an
 *   error to the reference, and an escaped line break before an empty line, which they fold differently; checked on
 *   generated escapes by test/spec/fast-yaml-documents.test.ts);
 * - a quoted scalar over several lines is read when its lines are indented as the reference wants (CRD files
 *   written by older tools fold long descriptions so; see quotedLinesIndented); a flow collection over lines is not;
 * - tags and directives still go to the reference (a `!` where a node may start, a `%` at a line start), and so does
 *   every other rule of REFERENCE_ONLY, and an empty document (a null: js-yaml gives one for a text of comments
 *   alone, the reference none).
 * Checked against the reference by two reviews (helper sessions, session 42: ~18 and ~40 million generated and
 * enumerated texts; what they found is in the checks) and by test/spec/fast-yaml-documents.test.ts. Returns undefined
 * for what it leaves to the reference, which then gives its own documents and errors.
 */
export function fastYamlDocuments(text: string): { readonly values: ReadonlyArray<unknown> } | undefined {
  if (DOCUMENTS_REFERENCE_ONLY.some(([, re]) => re.test(text))) return undefined;
  const read = jsYaml(text, (t, options) => loadAll(t, null, options), true);
  if (read === undefined) return undefined;
  const seen = new Set<object>();
  for (const v of read.value) if (v === null || !isTreeWithoutNullKey(v, seen)) return undefined;
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
  ['an escaped line break before an empty line (folded otherwise by js-yaml: "x\\\n\n  y" is "xy" to it, "x y" to the reference)', /\\\r?\n[ \t]*\r?\n/],
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

/**
 * Whether no object or array under `root` (nor root) is in `seen` or reached twice, and no mapping has the key `null`
 * (hasNullKey, in the same walk); adds them to `seen`.
 */
function isTreeWithoutNullKey(root: unknown, seen: Set<object>): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) return false;
    seen.add(v);
    if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, 'null')) return false;
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

/**
 * What a quoted scalar, a flow collection, a block scalar or a comment starts with: a text without any has none of
 * the nodes the listener looks at.
 */
const LISTENED = /["'[{|>#]/;

/**
 * Whether the block scalar whose header is at `i` (if it is one) starts with empty lines holding spaces: the reference
 * wants an indentation indicator when they are indented past its first line of text, and js-yaml reads some of them
 * otherwise (`a: |\n  \n #\n` is "" to it, an error to the reference; found in review, helper session, session 42).
 */
function blankLinesWithSpaces(text: string, i: number): boolean {
  if (text[i] !== '|' && text[i] !== '>') return false;
  for (let at = text.indexOf('\n', i); at >= 0; at = text.indexOf('\n', at + 1)) {
    let j = at + 1;
    while (text[j] === ' ') j++;
    if (text[j] !== '\n' && text[j] !== '\r') return false;
    if (j > at + 1) return true;
  }
  return false;
}

/**
 * Whether a plain scalar (of `kind` scalar, starting at `i` with none of a quoted or block scalar's marks) has a
 * comment between where js-yaml opened it (`from`) and its text: `- k:\n#c\n   x\n- d` is [{k: "x - d"}] to the
 * reference and [{k: "x"}, "d"] to js-yaml (found in review, helper session, session 42).
 */
function commentBeforePlainScalar(text: string, from: number, i: number, kind: string | null): boolean {
  if (kind !== 'scalar' || text[i] === '"' || text[i] === "'" || text[i] === '|' || text[i] === '>') return false;
  const hash = text.indexOf('#', from);
  return hash >= 0 && hash < i;
}

/**
 * Whether the node js-yaml opens at `from` is a flow collection that may be a key in a flow mapping (its innermost
 * open node, `opened` being the open nodes' positions, starts with `{`, and no `:` comes right before it: a `{`, a
 * `,` or a comment): `{[a]}` is {a: null} to js-yaml and {"[ a ]": null} to the reference, `{b, {c}}` gives js-yaml a key
 * "[object Object]" (found in review: helper session, session 42; js-yaml 4.3.2 against yaml 2.9.1). A collection
 * as a key with a value (`{[a]: 1}`) goes to the reference by REFERENCE_ONLY.
 */
function collectionKeyWithoutValue(text: string, from: number, opened: readonly number[]): boolean {
  if (opened.length === 0) return false;
  const i = contentStart(text, from, text.length);
  if (text[i] !== '[' && text[i] !== '{') return false;
  // js-yaml opens a document's root twice at the same place: that node is no entry of its own.
  const parent = contentStart(text, opened[opened.length - 1], text.length);
  if (parent === i || text[parent] !== '{') return false;
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\n' || text[j] === '\r')) j--;
  return text[j] !== ':';
}

/** Where the node js-yaml read from `from` (its listener: from before the space ahead of it) to `to` starts: comments and space skipped. */
function contentStart(text: string, from: number, to: number): number {
  let i = from;
  for (;;) {
    while (i < to && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r')) i++;
    if (text[i] !== '#') return i;
    while (i < to && text[i] !== '\n') i++;
  }
}

/**
 * Whether the node starting at `i` and ending at `to` is a quoted scalar or a flow collection over several lines. A
 * block mapping whose first key is quoted is not one (its kind is a mapping). With `indentedQuotes`, a quoted scalar
 * whose lines are indented as the reference wants is not counted.
 */
function flowOverLines(text: string, i: number, to: number, kind: string | null, indentedQuotes: boolean): boolean {
  const c = text[i];
  const quoted = c === "'" || c === '"';
  const flow = quoted ? kind === 'scalar' : c === '[' || c === '{';
  if (!flow) return false;
  const nl = text.indexOf('\n', i);
  if (nl < 0 || nl >= to) return false;
  return !(quoted && indentedQuotes && quotedLinesIndented(text, i, nl, to));
}

/** An anchor's or alias's name that both readers read alike. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]+$/;
/** What may follow an anchor: spaces, then a plain scalar (and no mapping on the same line, checked apart). */
const ANCHORED_PLAIN = /^[ ]+[^\s"'[\]{}|>*&!#%@`,?:-]/;
/** What may follow an alias: the end of its line, a comment, or the end of a flow entry. */
const ALIAS_END = /^[ ]*(?:[,\]}]|#|\r?$)/;

/**
 * Whether the node starting at `i`, if it starts with an anchor (`&name`) or is an alias (`*name`), is one both
 * readers read alike: a plain name; an anchor on a plain scalar on the same line that starts no mapping there; an
 * alias that is a whole value (not a key). Found in review (helper session, session 42; js-yaml 4.3.2 against yaml
 * 2.9.1): js-yaml reads anchors the reference refuses (`&x b: c`, `&x` ending its line then `&y 1`, `&a[1]`), an
 * anchored quoted scalar or flow collection over lines escaped the line check, and an alias of a collection used as
 * a key is a stringified object to js-yaml.
 */
function propertyReadAlike(text: string, i: number): boolean {
  const c = text[i];
  if (c !== '&' && c !== '*') return true;
  const end = text.indexOf('\n', i);
  const [, name, rest] = /^.([^\s[\]{},]*)(.*)$/s.exec(text.slice(i, end < 0 ? text.length : end))!;
  if (!PLAIN_NAME.test(name)) return false;
  return c === '*' ? ALIAS_END.test(rest) : ANCHORED_PLAIN.test(rest) && !/:(?:[ \t]|\r?$)/.test(rest);
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
