import { parse } from 'yaml';

const parsed = new WeakMap<object, Map<string, { text: string; doc: unknown }>>();

/**
 * A YAML data value of an object, parsed once per object and key for every check of the flow gate (the scrape
 * check and the configured-URL check read the same prometheus.yml of every cluster); null when it is not YAML.
 * Dropped with its object; re-parsed when the text changed.
 */
export function parsedData(object: object, key: string, text: string): unknown {
  let byKey = parsed.get(object);
  if (!byKey) parsed.set(object, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit && hit.text === text) return hit.doc;
  let doc: unknown;
  try {
    doc = parse(text) ?? null;
  } catch {
    doc = null;
  }
  byKey.set(key, { text, doc });
  return doc;
}
