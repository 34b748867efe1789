import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { InputError, Problem } from '../../core/errors';
import { CRDS_PIN_DIR, K8S_OPENAPI_PIN_PATH, SCHEMA_PINS, SchemaPin } from '../../core/schema-pins';
import { CliIO } from '../io';
import { OutputFormat, reportAs, withOutputFlag } from '../json';

/** Written last by a complete pull; a cache without it (or with other pins) is never used. */
const COMPLETE = 'pins.json';

/** The schema cache: $EDGEWATT_SCHEMA_CACHE, else $XDG_CACHE_HOME/edgewatt/schemas, else ~/.cache/edgewatt/schemas. */
export function defaultSchemaCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EDGEWATT_SCHEMA_CACHE) return env.EDGEWATT_SCHEMA_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'edgewatt', 'schemas');
}

/** The schema sources in a complete cache of the current pins, or undefined. */
export function cachedSchemas(cache: string = defaultSchemaCache()): { k8sOpenApi: string; crds: string[] } | undefined {
  try {
    if (fs.readFileSync(path.join(cache, COMPLETE), 'utf8') !== pinsText()) return undefined;
  } catch {
    return undefined;
  }
  return { k8sOpenApi: path.join(cache, K8S_OPENAPI_PIN_PATH), crds: [path.join(cache, CRDS_PIN_DIR)] };
}

function pinsText(): string {
  return `${JSON.stringify(SCHEMA_PINS, null, 2)}\n`;
}

async function fetchPin(pin: SchemaPin, from: string | undefined, timeoutMs: number): Promise<Buffer> {
  if (from !== undefined && !/^https?:\/\//.test(from)) return fs.readFileSync(path.join(from, pin.path));
  const url = from === undefined ? pin.url : `${from.replace(/\/$/, '')}/${pin.path}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * Fetches every pinned schema, checks its sha256, and only when all arrived intact moves them into `cache` (a
 * staging folder beside it is renamed into place, then the completion marker is written), so a partial or
 * tampered download is never used. All failures are reported together.
 */
export async function pullSchemas(cache: string, from?: string, timeoutMs = 60_000): Promise<{ files: number; bytes: number }> {
  const problems: Problem[] = [];
  const got = await Promise.all(
    SCHEMA_PINS.map(async (pin) => {
      try {
        const data = await fetchPin(pin, from, timeoutMs);
        const sum = crypto.createHash('sha256').update(data).digest('hex');
        if (sum !== pin.sha256) {
          problems.push({ path: pin.path, message: `sha256 ${sum} is not the pinned ${pin.sha256}: the source serves another file; nothing was written` });
          return undefined;
        }
        return { pin, data };
      } catch (e) {
        problems.push({ path: pin.path, message: `could not be fetched (${(e as Error).message}): check the network or pass --schemas-from DIR|URL` });
        return undefined;
      }
    }),
  );
  if (problems.length > 0) throw new InputError(problems);
  const abs = path.resolve(cache);
  const staging = `${abs}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  let bytes = 0;
  for (const g of got) {
    const file = path.join(staging, g!.pin.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, g!.data);
    bytes += g!.data.length;
  }
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.rmSync(abs, { recursive: true, force: true });
  fs.renameSync(staging, abs);
  fs.writeFileSync(path.join(abs, COMPLETE), pinsText());
  return { files: got.length, bytes };
}

/** `edgewatt schemas pull`: the pinned Kubernetes OpenAPI document and CRDs into the cache synth and validate use. */
export function schemasCommand(io: CliIO): Command {
  const pull = withOutputFlag(
    new Command('pull')
      .description('fetch the pinned Kubernetes OpenAPI document and CRDs (sha256-checked) into the cache that synth and validate use')
      .option('--cache <dir>', 'cache folder (default: $EDGEWATT_SCHEMA_CACHE, else ~/.cache/edgewatt/schemas)')
      .option('--schemas-from <dir|url>', 'a mirror laid out like the cache (a folder, or an http(s) base URL), for air-gapped networks')
      .option('--timeout <seconds>', 'per file', '60'),
  ).action((f: { cache?: string; schemasFrom?: string; timeout: string; output: OutputFormat }) =>
    reportAs(io, f.output, 'schemas pull', async () => {
      const cache = f.cache ?? defaultSchemaCache();
      const r = await pullSchemas(cache, f.schemasFrom, Number(f.timeout) * 1000);
      if (f.output === 'text') io.out(`${r.files} schema files (${r.bytes} bytes) pinned by sha256 in ${cache}\n`);
      return { cache, files: r.files };
    }),
  );
  return new Command('schemas').description('manage the schemas of the strict schema gate').addCommand(pull.exitOverride());
}
