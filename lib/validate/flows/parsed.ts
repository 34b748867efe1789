import { deepFreeze } from '../../core/freeze';
import { memoByString } from '../../core/memo';
import { readYaml } from '../../spec/fast-yaml';

/**
 * How many characters of YAML text the parsed-data memo holds: ten times every data text of the 100,000-device
 * bench stack (~0.8 M characters); the documents take several times that in memory, held for the life of the
 * process.
 */
const MEMO_CHARS = 8 * 1024 * 1024;

/**
 * A text's document, frozen (so one shared by several checks, and synths, cannot be changed by one); null when
 * it is not YAML (or empty). Read by the quick reader when it can (lib/spec/fast-yaml.ts: the same data as the
 * reference's parse, or nothing; ~0.6 ms instead of ~2 ms for a cluster's prometheus.yml), else by the reference.
 */
function parseFrozen(text: string): unknown {
  try {
    return deepFreeze(readYaml(text) ?? null);
  } catch {
    return null;
  }
}

/**
 * A YAML data value of an object, parsed (frozen) once per text for every check that reads it: the scrape check,
 * the configured-URL check, the PromQL and template checks read the same prometheus.yml and rule files of every
 * cluster. The memo is by text, not by object, so a synth that rebuilds its objects (an incremental synth in the
 * same process, a library user's watch loop) parses only the texts that changed; it holds at most MEMO_CHARS
 * characters of text (8 Mi; memoByString, cleared when full). Null when the text is not YAML.
 */
export const parsedData: (text: string) => unknown = memoByString(parseFrozen, MEMO_CHARS, (text) => text.length);
