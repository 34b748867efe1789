import * as fs from 'fs';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The read-only reference data folder (../shared beside the repository, or $EDGEWATT_SHARED).
 * Throws when it is missing: conformance tests must fail, never skip, without it.
 */
export function sharedPath(...parts: string[]): string {
  const base = process.env.EDGEWATT_SHARED ?? path.resolve(ROOT, '..', 'shared');
  const p = path.join(base, ...parts);
  if (!fs.existsSync(p)) {
    throw new Error(`reference data missing: ${p} (the tests need ../shared beside the repository, or EDGEWATT_SHARED)`);
  }
  return p;
}

/** The stack.yaml example of DESIGN.md §3, as text. */
export function designExampleYaml(): string {
  const design = fs.readFileSync(sharedPath('DESIGN.md'), 'utf8');
  const m = /## 3\. The stack contract[\s\S]*?```yaml\n([\s\S]*?)```/.exec(design);
  if (!m) throw new Error('DESIGN.md has no stack.yaml example in section 3');
  return m[1];
}
