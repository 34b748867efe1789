/**
 * A worker thread of loadYamlTree (load.ts) for a large tree: it claims chunks of the tree's files from the shared
 * counter (the main thread and the other workers claim from the same one), reads and parses each file as the main
 * thread would (yaml-file.ts), and posts each chunk's result with the warnings its parse emitted; then it ends. A chunk
 * it cannot give exactly as the main thread would (a read that throws, an explicit YAML tag) is left to the main thread.
 */
import { parentPort, workerData } from 'worker_threads';
import { ChunkResult, LoadWarning, LoadWorkerData, MESSAGES, NEXT_CHUNK } from './load-protocol';
import { Chunk, readFiles } from './yaml-file';

if (parentPort !== null && (workerData as Partial<LoadWorkerData> | undefined)?.edgewattLoad === true) run(workerData as LoadWorkerData);

/**
 * Whether a file's bytes may hold an explicit tag of the YAML schema (`!!binary`, a verbatim `!<tag:yaml.org,2002:…>`,
 * or a %TAG prefix naming it): its values are read on the main thread (a Buffer comes through a message as a plain
 * Uint8Array). edgewatt's files hold none.
 */
function explicitTags(content: Buffer): boolean {
  return content.includes('!!') || content.includes('tag:yaml.org');
}

function run(data: LoadWorkerData): void {
  const { dir, label, names, chunkFiles, port } = data;
  const shared = new Int32Array(data.shared);
  const keep = data.keep ? new RegExp(data.keep.source, data.keep.flags) : undefined;
  const chunks = Math.ceil(names.length / chunkFiles);
  // What the parse warns of (the `yaml` library calls process.emitWarning) is kept with its chunk, as it is emitted,
  // and emitted again by the main thread: this thread's own stderr would reach the terminal only after the load.
  let warnings: LoadWarning[] = [];
  process.emitWarning = ((warning: string | Error, type?: string | { type?: string; code?: string }, code?: string): void => {
    const options = typeof type === 'object' ? type : { type, code };
    const name = warning instanceof Error ? warning.name : (options.type ?? 'Warning');
    const message = warning instanceof Error ? warning.message : String(warning);
    warnings.push({ name, message, ...(typeof options.code === 'string' ? { code: options.code } : {}) });
  }) as typeof process.emitWarning;
  const post = (m: ChunkResult): void => {
    port.postMessage(m);
    Atomics.add(shared, MESSAGES, 1);
    Atomics.notify(shared, MESSAGES);
  };
  for (let chunk = Atomics.add(shared, NEXT_CHUNK, 1); chunk < chunks; chunk = Atomics.add(shared, NEXT_CHUNK, 1)) {
    warnings = [];
    let read: Chunk | undefined;
    try {
      read = readFiles(dir, label, names, chunk * chunkFiles, Math.min(names.length, (chunk + 1) * chunkFiles), keep, explicitTags);
    } catch {
      read = undefined;
    }
    post(read === undefined ? { chunk, here: true } : { chunk, ...read, warnings });
  }
  port.close();
}
