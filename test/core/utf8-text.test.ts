import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';

type TextModule = typeof import('../../lib/core/utf8-text');

/** The module as loaded with this Node's buffer, and once more with a buffer that has no `isAscii` (node < 18.15). */
const withIsAscii = jest.requireActual<TextModule>('../../lib/core/utf8-text');
let withoutIsAscii: TextModule | undefined;
jest.isolateModules(() => {
  jest.doMock('buffer', () => ({ ...jest.requireActual('buffer'), isAscii: undefined }));
  withoutIsAscii = jest.requireActual<TextModule>('../../lib/core/utf8-text');
  jest.dontMock('buffer');
});

const modules: Array<[string, TextModule]> = [
  ['with buffer.isAscii', withIsAscii],
  ['without buffer.isAscii (always UTF-8)', withoutIsAscii as TextModule],
];

/** Bytes of every kind: ASCII only, any Unicode text as UTF-8, and any bytes (invalid UTF-8, lone continuation bytes). */
const bytes = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 300 }).map((s) => Buffer.from(s, 'latin1')),
  fc.string({ unit: 'grapheme', maxLength: 100 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);

describe('utf8Text gives what toString("utf8") gives', () => {
  test('this Node has buffer.isAscii, so the first module takes ASCII bytes as Latin-1 (the path measured)', () => {
    expect(typeof (jest.requireActual('buffer') as { isAscii?: unknown }).isAscii).toBe('function');
  });

  test.each(modules)('%s: any bytes, whole or any part', (_name, mod) => {
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), (b, x, y) => {
        const [start, end] = [x % (b.length + 1), y % (b.length + 1)].sort((p, q) => p - q);
        expect(mod.utf8Text(b)).toBe(b.toString('utf8'));
        expect(mod.utf8Text(b, start, end)).toBe(b.toString('utf8', start, end));
        expect(mod.utf8Text(b, start)).toBe(b.toString('utf8', start));
      }),
      { numRuns: 500 },
    );
  });

  test.each(modules)('%s: a non-ASCII byte anywhere is decoded as UTF-8, not taken as Latin-1', (_name, mod) => {
    // "é" is 0xC3 0xA9: as Latin-1 it would read "Ã©". At the end of a large ASCII text, so only a check of every byte finds it.
    const b = Buffer.concat([Buffer.from('a'.repeat(100_000), 'latin1'), Buffer.from('caf\u00e9\n', 'utf8')]);
    expect(mod.utf8Text(b).endsWith('caf\u00e9\n')).toBe(true);
    expect(mod.utf8Text(b, 100_000)).toBe('caf\u00e9\n');
    // A part that is ASCII although the whole is not.
    expect(mod.utf8Text(b, 0, 100_003)).toBe(`${'a'.repeat(100_000)}caf`);
    // A byte order mark stays, as toString keeps it.
    expect(mod.utf8Text(Buffer.from('\ufeffname: x', 'utf8'))).toBe('\ufeffname: x');
  });
});

describe('readUtf8File', () => {
  test('reads what fs.readFileSync(file, "utf8") reads, ASCII or not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-utf8-'));
    try {
      fc.assert(
        fc.property(bytes, (b) => {
          const file = path.join(dir, 'f');
          fs.writeFileSync(file, b);
          expect(withIsAscii.readUtf8File(file)).toBe(fs.readFileSync(file, 'utf8'));
        }),
        { numRuns: 100 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
