import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { StackProps, StackSpec } from '../../lib';
import { generateStackProps } from '../../lib/api/props-codegen';
import { stackSchema } from '../../lib/internal';

/** Removes `readonly` at every depth, so the public (readonly) interfaces compare with zod's (mutable) types. */
type Mutable<T> = T extends ReadonlyArray<infer U> ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
/** True only when A and B are the same type (optional keys and unions included). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Type-level proof, checked by `tsc -p tsconfig.test.json` (npm test) and by ts-jest: a field added, removed or
// retyped in the zod contract (lib/spec) without regenerating lib/api/stack-props.ts fails to compile here.
const inputAgrees: Equals<Mutable<StackProps>, Mutable<z.input<typeof stackSchema>>> = true;
const outputAgrees: Equals<Mutable<StackSpec>, Mutable<z.output<typeof stackSchema>>> = true;

describe('public props interfaces (lib/api/stack-props.ts)', () => {
  test('agree with the zod contract both ways, inputs and outputs', () => {
    expect([inputAgrees, outputAgrees]).toEqual([true, true]);
  });

  test('are what the generator gives from the contract today (run `npm run synth` after changing lib/spec)', () => {
    const checkedIn = fs.readFileSync(path.join(__dirname, '../../lib/api/stack-props.ts'), 'utf8');
    expect(checkedIn).toBe(generateStackProps());
  });

  test('document every field, optional ones with their @default', () => {
    const text = generateStackProps();
    const fields = [...text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?  readonly ([\w$]+)(\??):/g)];
    expect(fields.length).toBeGreaterThan(100);
    const optionalWithoutDefault = fields.filter((m) => m[3] === '?' && !(m[1] ?? '').includes('@default')).map((m) => m[2]);
    expect(optionalWithoutDefault).toEqual([]);
  });
});
