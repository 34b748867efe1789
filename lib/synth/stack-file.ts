import * as fs from 'fs';
import { parse as parseYaml } from 'yaml';
import { SpecError } from '../core/errors';
import { utf8Text } from '../core/utf8-text';
import { INPUT_LIMITS, locateProblems, parseStackYaml, sealParsed } from '../spec/parse';
import { StackInput } from '../spec/stack';
import { StackReader } from '../spec/stack-reader';
import { withCrossReferences } from './resolve-all';

/* Reading a stack.yaml file for the CLI's commands: bounded, parsed and sealed, its problems located in the file. */

/**
 * Reads at most `max` bytes of a file, so a device such as /dev/zero (or an endless pipe) given as the stack ends
 * with a clear error instead of filling memory; a larger input is a SpecError. A regular file is read into one
 * buffer of its size (a byte more, to see it grow while read); anything else, or a file that grew, in chunks.
 */
function readBounded(file: string, max: number): string {
  const tooLarge = () => new SpecError([{ path: file, message: `is over the limit of ${max} bytes: split the stack or generate it as TypeScript props` }]);
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFile() && stat.size > max) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    // Not zero-filled: only the bytes read are kept.
    let buf = Buffer.allocUnsafe(stat.isFile() ? stat.size + 1 : 1024 * 1024);
    let used = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, used, buf.length - used, null);
      if (n === 0) break;
      used += n;
      total += n;
      if (total > max) throw tooLarge();
      if (used === buf.length) {
        chunks.push(buf);
        buf = Buffer.allocUnsafe(1024 * 1024);
        used = 0;
      }
    }
    if (chunks.length === 0) return utf8Text(buf, 0, used);
    chunks.push(buf.subarray(0, used));
    return utf8Text(Buffer.concat(chunks));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads and parses a stack.yaml file; a missing or unreadable file is a SpecError. The stack is sealed
 * (lib/spec/parse.ts sealParsed: frozen, so a synth of it does not check it against the schema a second time).
 * `reader`: a StackReader that read this file before (`synth --watch`), which reads a small edit of a large file
 * sooner; the stack is the same. @default none (the text is read whole)
 */
export function loadStackFile(file: string, reader?: StackReader): StackInput {
  let text: string;
  try {
    text = readBounded(file, INPUT_LIMITS.maxBytes);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError([{ path: file, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass the stack with -c <file>` }]);
  }
  try {
    return sealParsed(reader !== undefined ? reader.read(text, file) : parseStackYaml(text, { fileName: file })) as StackInput;
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch {
      throw e;
    }
    throw withCrossReferences(e, raw);
  }
}

/**
 * Runs `work` on the stack read from `file` (loadStackFile); a SpecError it throws gets the line of each problem's
 * field in the file where it had none (locateProblems: the cross-reference problems). For the CLI's commands.
 */
export function withStackLines<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof SpecError) || e.problems.every((p) => p.location !== undefined)) throw e;
    let text: string;
    try {
      text = readBounded(file, INPUT_LIMITS.maxBytes);
    } catch {
      throw e;
    }
    throw new SpecError(locateProblems(text, file, e.problems), e.heading);
  }
}
