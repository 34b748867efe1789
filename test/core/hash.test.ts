import { createHash } from 'crypto';
import fc from 'fast-check';

type HashModule = typeof import('../../lib/core/hash');

/** The module as loaded with this Node's crypto, and once more with a crypto that has no one-shot `hash` (node < 20.12). */
const withOneShot = jest.requireActual<HashModule>('../../lib/core/hash');
let withoutOneShot: HashModule | undefined;
/** The Hash objects the fallback module makes. */
const fallbackHashes = jest.fn((algorithm: string) => createHash(algorithm));
jest.isolateModules(() => {
  jest.doMock('crypto', () => ({ ...jest.requireActual('crypto'), hash: undefined, createHash: fallbackHashes }));
  withoutOneShot = jest.requireActual<HashModule>('../../lib/core/hash');
  jest.dontMock('crypto');
});

describe('digestBytes, digestHex and digestBase64 give what a Hash object gives', () => {
  const data = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)));

  test.each([
    ['with crypto.hash', withOneShot],
    ['without crypto.hash (the fallback)', withoutOneShot as HashModule],
  ])('%s: sha1, md5 and sha256 of any string (as UTF-8) or bytes', (_name, mod) => {
    fc.assert(
      fc.property(data, fc.constantFrom('sha1', 'md5', 'sha256'), (d, algorithm) => {
        expect(mod.digestBytes(algorithm, d).equals(createHash(algorithm).update(d).digest())).toBe(true);
        expect(mod.digestBase64(algorithm, d)).toBe(createHash(algorithm).update(d).digest('base64'));
        expect(mod.digestHex(algorithm, d)).toBe(createHash(algorithm).update(d).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  test('the fallback really is the other path (a Hash object per digest)', () => {
    // The mocked module must not see crypto.hash, or the fallback above was never tested.
    fallbackHashes.mockClear();
    (withoutOneShot as HashModule).digestBase64('sha1', 'x');
    (withoutOneShot as HashModule).digestBytes('md5', 'x');
    (withoutOneShot as HashModule).digestHex('sha256', 'x');
    expect(fallbackHashes).toHaveBeenCalledTimes(3);
  });
});
