import { z } from 'zod';
import { formatPath, Problem } from '../core/errors';
import { didYouMean } from '../core/names';

type AnySchema = z.core.$ZodType;
type Def = { type: string; [key: string]: unknown };

function def(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional/default/pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') {
      s = d.innerType as AnySchema;
    } else if (d.type === 'pipe') {
      s = d.in as AnySchema;
    } else {
      return s;
    }
  }
}

/** The object keys a schema accepts at `path`, for "did you mean" on an unknown key. */
export function keysAt(schema: AnySchema, path: ReadonlyArray<PropertyKey>): string[] {
  let candidates: AnySchema[] = [schema];
  for (const key of path) {
    const next: AnySchema[] = [];
    for (const c of candidates.map(unwrap)) {
      const d = def(c);
      if (d.type === 'object' && typeof key === 'string') {
        const shape = d.shape as Record<string, AnySchema>;
        if (shape[key]) next.push(shape[key]);
      } else if (d.type === 'array' && typeof key === 'number') {
        next.push(d.element as AnySchema);
      } else if (d.type === 'record') {
        next.push(d.valueType as AnySchema);
      } else if (d.type === 'union') {
        for (const o of d.options as AnySchema[]) next.push(o);
      }
    }
    candidates = next.flatMap((c) => {
      const u = unwrap(c);
      return def(u).type === 'union' ? (def(u).options as AnySchema[]) : [u];
    });
  }
  const keys: string[] = [];
  for (const c of candidates.map(unwrap)) {
    const d = def(c);
    if (d.type === 'object') keys.push(...Object.keys(d.shape as object));
  }
  return keys;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN (not a number)';
    if (!Number.isFinite(value)) return `${value > 0 ? '' : '-'}infinity (.inf, or a number too large such as 1e400)`;
    return Number.isInteger(value) ? 'an integer' : 'a number';
  }
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized)/.test(message);
}

/** Turns zod issues into problems with a field path, plain words and, where possible, the fix. */
export function problemsFromZod(schema: AnySchema, issues: ReadonlyArray<z.core.$ZodIssue>, input: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: formatPath([...path, key]), message: key === '<<' ? 'unknown key: YAML merge keys (<<) are not read; write the keys out' : `unknown key${didYouMean(key, keysAt(schema, path))}` });
        }
        break;
      case 'invalid_type': {
        const actual = valueAt(input, path);
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        out.push({
          path: formatPath(path),
          message:
            actual === undefined
              ? `is required (${expected})`
              : `must be ${typeof actual === 'number' && !Number.isFinite(actual) ? `a finite ${expected.replace(/^an? /, '')}` : expected}, not ${typeName(actual)}${
                  // YAML reads 1e3, 0755, true or null unquoted as a number, boolean or null: quoting keeps the text.
                  issue.expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean' || actual === null) ? ': put it in quotes if you meant the text' : ''
                }`,
        });
        break;
      }
      case 'invalid_value': {
        const actual = valueAt(input, path);
        const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const hint = typeof actual === 'string' ? didYouMean(actual, issue.values.map(String)) : '';
        out.push({
          path: formatPath(path),
          message: hint.startsWith(' (did') ? `must be one of ${values}${hint}` : `must be one of ${values}`,
        });
        break;
      }
      case 'too_small':
      case 'too_big': {
        out.push({ path: formatPath(path), message: isDefaultMessage(issue.message) ? sizeMessage(issue) : issue.message });
        break;
      }
      default:
        out.push({
          path: formatPath(path),
          message: isDefaultMessage(issue.message) ? `is not valid (${issue.message.toLowerCase()})` : issue.message,
        });
    }
  }
  return out;
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'array':
      return small ? `must have at least ${bound} entries` : `must have at most ${bound} entries`;
    case 'string':
      return small ? `must be at least ${bound} characters` : `must be at most ${bound} characters`;
    default:
      if (small) return inclusive ? `must be at least ${bound}` : `must be more than ${bound}`;
      return inclusive ? `must be at most ${bound}` : `must be less than ${bound}`;
  }
}
