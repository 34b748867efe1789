import { digestBytes } from '../core/hash';
import { memoByString } from '../core/memo';

/**
 * Prometheus's `hashmod` relabel action: the last 8 bytes of the MD5 of the value, as a big-endian unsigned
 * integer, modulo `modulus`. Used to predict which targets a sampling rule keeps (once per fleet device per
 * chart, so its cost shows at 100,000 devices).
 */
export function hashmod(value: string, modulus: number): number {
  const digest = digestBytes('md5', value);
  // (hi·2^32 + lo) mod m in doubles, exact while every term stays below 2^53 (m ≤ 2^26); else BigInt.
  if (Number.isInteger(modulus) && modulus > 0 && modulus <= 2 ** 26) {
    const hi = digest.readUInt32BE(8) % modulus;
    const lo = digest.readUInt32BE(12) % modulus;
    return (hi * (2 ** 32 % modulus) + lo) % modulus;
  }
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

/** The modulus of the sampling rule: shares are kept to the nearest 1/1000. */
export const SAMPLE_MODULUS = 1000;

/** The selective monitoring policy: targets matching `always`, plus a stable sample of the rest. */
export interface SelectionPolicy {
  readonly sample: number;
  readonly always?: Readonly<Record<string, string>>;
}

/** How many hash buckets (of SAMPLE_MODULUS) a sample share keeps. */
export function keptBuckets(sample: number): number {
  return Math.round(sample * SAMPLE_MODULUS);
}

/** hashmod(key, SAMPLE_MODULUS), remembered per key: a synth asks it for every device, and the next synth again. */
const sampleBucket = memoByString((key) => hashmod(key, SAMPLE_MODULUS), 400_000);

/** Whether the policy keeps a target named `key` (a node or device name) with `labels`. */
export function isSelected(key: string, labels: Readonly<Record<string, string>>, policy?: SelectionPolicy): boolean {
  return selector(policy)(key, labels);
}

/**
 * isSelected for one policy, its `always` labels and kept buckets read once: for a loop over every device (100,000
 * at the bench's largest tier). The same verdicts.
 */
export function selector(policy?: SelectionPolicy): (key: string, labels: Readonly<Record<string, string>>) => boolean {
  if (!policy) return () => true;
  const always = Object.entries(policy.always ?? {});
  const kept = keptBuckets(policy.sample);
  return (key, labels) => {
    if (always.length > 0 && always.every(([k, v]) => labels[k] === v)) return true;
    return sampleBucket(key) < kept;
  };
}

/** A regex matching the decimal numbers 0 … n-1 (n ≥ 1), compact enough for a relabel rule. */
export function belowRegex(n: number): string {
  if (n <= 0) return 'a^'; // matches nothing
  const parts: string[] = [];
  const digits = String(n - 1).length;
  for (let d = 1; d < digits; d++) parts.push(d === 1 ? '[0-9]' : `[1-9][0-9]{${d - 1}}`);
  // Numbers with as many digits as n-1 and not above it.
  const max = String(n - 1);
  const prefixAlternatives = (s: string, first: boolean): string[] => {
    if (s.length === 0) return [''];
    const head = Number(s[0]);
    const rest = s.slice(1);
    const alts: string[] = [];
    const low = first && s.length > 1 ? 1 : 0;
    if (head > low) alts.push(`${head - 1 === low ? String(low) : `[${low}-${head - 1}]`}${rest.length ? `[0-9]{${rest.length}}` : ''}`);
    for (const tail of prefixAlternatives(rest, false)) alts.push(`${head}${tail}`);
    return alts;
  };
  if (digits === 1) return `[0-${max}]`;
  parts.push(...prefixAlternatives(max, true));
  return parts.join('|');
}
