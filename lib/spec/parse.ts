import { LineCounter, parseDocument } from 'yaml';
import { Problem, SpecError } from '../core/errors';
import { credentialProblems } from './credentials';
import { problemsFromZod } from './issues';
import { StackInput, stackSchema, StackSpec } from './stack';

/** Limits on stack.yaml, checked before anything big is built from it. */
export const INPUT_LIMITS = {
  /** Largest stack.yaml accepted, in bytes (a 10,000-device fleet is about 1.5 MB). */
  maxBytes: 16 * 1024 * 1024,
  /** Most alias expansions (`*ref`) in one document; guards against "billion laughs" alias bombs. */
  maxAliasCount: 1000,
} as const;

/** Options of parseStackYaml. */
export interface ParseOptions {
  /** File name used in locations of problems. @default stack.yaml */
  readonly fileName?: string;
}

/**
 * Parses stack.yaml text: YAML (duplicate keys rejected, size and aliases bounded), then the stack schema.
 * Throws a SpecError naming every problem with its field path and, where known, its line.
 */
export function parseStackYaml(text: string, options: ParseOptions = {}): StackSpec {
  const fileName = options.fileName ?? 'stack.yaml';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > INPUT_LIMITS.maxBytes) {
    throw new SpecError([
      { path: fileName, message: `is ${bytes} bytes, over the limit of ${INPUT_LIMITS.maxBytes}: split the stack or generate it as TypeScript props` },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter, prettyErrors: true, strict: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: pos ? `${fileName}:${pos.line}:${pos.col}` : fileName, message: yamlMessage(e.code, e.message) };
      }),
    );
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliasCount });
  } catch (e) {
    throw new SpecError([{ path: fileName, message: `${(e as Error).message}: expand the aliases or write the values out` }]);
  }
  return parseStack(input, (path) => {
    const node = nearestNode(doc, path);
    if (node === undefined) return undefined;
    const pos = lineCounter.linePos(node);
    return `${fileName}:${pos.line}:${pos.col}`;
  });
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return `${first}: each key may appear once in a mapping`;
  return first;
}

function nearestNode(doc: ReturnType<typeof parseDocument>, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as Array<string | number>, true)) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return undefined;
}

/**
 * Validates a stack given as plain data (parsed YAML or TypeScript props) and applies defaults.
 * `locate` may map a field path to a source location shown before the path.
 */
export function parseStack(input: unknown, locate?: (path: ReadonlyArray<PropertyKey>) => string | undefined): StackSpec {
  const result = stackSchema.safeParse(input);
  const credentials = credentialProblems(input, locate);
  if (result.success && credentials.length === 0) return result.data;
  const problems: Problem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) => {
        const found = problemsFromZod(stackSchema, [issue], input);
        const where = locate?.(issue.path as PropertyKey[]);
        return where ? found.map((p) => ({ ...p, location: where })) : found;
      });
  throw new SpecError([...problems, ...credentials]);
}

/** Type-checks TypeScript props against the contract; a no-op at run time. */
export function defineStack(props: StackInput): StackInput {
  return props;
}
