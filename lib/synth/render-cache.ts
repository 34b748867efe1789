import * as fs from 'fs';
import * as path from 'path';
import { objectDigest, readCacheFile } from '../validate/cache';
import { yamlBody } from './serialize';

/**
 * The render cache: the YAML body of every object the last synth into a folder rendered, by the object's content
 * digest (objectDigest), in `<cache folder>/render.json` beside the validation cache. An unchanged object's
 * body is taken from it instead of being serialized again (the `yaml` library is a third of a synth). It is
 * opened under the validation cache's key, which covers edgewatt's code and the `yaml` package's version, so
 * another serializer never reuses a body; two objects with one digest serialize to the same bytes.
 */
export interface RenderCache {
  /** The YAML body of `object` (yamlBody), from the cache when its digest is there; every body is remembered. */
  body(object: object): string;
  /** Writes the bodies of this run only (stale ones are dropped); a failure to write is ignored. */
  save(): void;
  /** How many bodies were loaded. */
  readonly size: number;
}

/** Opens the render cache in `dir` for `key`; an unreadable, corrupt or other-key file is an empty cache. */
export function openRenderCache(dir: string, key: string): RenderCache {
  const file = path.join(dir, 'render.json');
  let old = new Map<string, string>();
  try {
    const data = JSON.parse(readCacheFile(file)) as { key?: unknown; bodies?: unknown };
    if (data.key === key && data.bodies && typeof data.bodies === 'object') {
      old = new Map(Object.entries(data.bodies as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    /* no cache yet, or unreadable: render everything */
  }
  const now = new Map<string, string>();
  return {
    size: old.size,
    body: (object) => {
      const d = objectDigest(object);
      const b = now.get(d) ?? old.get(d) ?? yamlBody(object);
      now.set(d, b);
      return b;
    },
    save: () => {
      try {
        if (!fs.existsSync(dir)) {
          if (!fs.existsSync(path.dirname(dir))) fs.mkdirSync(path.dirname(dir));
          fs.mkdirSync(dir);
        }
        const tmp = `${file}.${process.pid}.tmp`;
        const fd = fs.openSync(tmp, 'w');
        try {
          // Written entry by entry: one JSON string of every body would double the memory of a large fleet.
          fs.writeSync(fd, `{"key":${JSON.stringify(key)},"bodies":{`);
          let chunk: string[] = [];
          for (const [d, b] of now) {
            chunk.push(`${JSON.stringify(d)}:${JSON.stringify(b)}`);
            if (chunk.length === 1000) {
              fs.writeSync(fd, chunk.join(','));
              chunk = [''];
            }
          }
          fs.writeSync(fd, `${chunk.join(',')}}}`);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, file);
      } catch {
        /* a read-only or odd place: the next run renders everything */
      }
    },
  };
}
