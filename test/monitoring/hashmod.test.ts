import { createHash } from 'crypto';
import { hashmod } from '../../lib/monitoring/hashmod';

/** hashmod computes in doubles for small moduli; it must equal the definition (BigInt of the last 8 MD5 bytes). */
test('hashmod equals the last 8 bytes of the MD5, big-endian, modulo, for small and large moduli', () => {
  const moduli = [1, 7, 1000, 65_537, 2 ** 26, 2 ** 26 + 1, 2 ** 40, 1e15];
  for (let i = 0; i < 2000; i++) {
    const value = i % 3 === 0 ? `dev-${i}` : i % 3 === 1 ? `node-${i}.example` : `ünïcode-${i}`;
    const last8 = createHash('md5').update(value).digest().readBigUInt64BE(8);
    for (const m of moduli) expect(hashmod(value, m)).toBe(Number(last8 % BigInt(m)));
  }
});
