import { InputError } from '../../core/errors';

/** Reads "90s", "10m", "1h" or plain seconds; anything else is bad input naming the flag. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InputError([{ path: flag, message: `"${value}" is not a duration: write e.g. 90s, 10m or 1h` }]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
