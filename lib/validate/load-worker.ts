/**
 * A worker thread of loadYamlTree (load.ts) for a large tree: it claims chunks of the tree's files from the shared
 * counter (the main thread and the other workers claim from the same one), reads and parses each file as the main
 * thread would (yaml-file.ts), and posts each chunk's result; then it ends.
 */
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import { Problem } from '../core/errors';
import { NOT_REGULAR_FIX, readRegularFile } from '../synth/tree';
import { ChunkResult, LoadWorkerData, MESSAGES, NEXT_CHUNK } from './load-protocol';
import { clusterOfFile, readYamlObjects } from './yaml-file';
import { Entry, Finding } from './types';

if (parentPort !== null) run(workerData as LoadWorkerData);

function run(data: LoadWorkerData): void {
  const { dir, label, names, chunkFiles, port } = data;
  const shared = new Int32Array(data.shared);
  const keep = data.keep ? new RegExp(data.keep.source, data.keep.flags) : undefined;
  const chunks = Math.ceil(names.length / chunkFiles);
  const post = (m: ChunkResult): void => {
    port.postMessage(m);
    Atomics.add(shared, MESSAGES, 1);
    Atomics.notify(shared, MESSAGES);
  };
  for (let chunk = Atomics.add(shared, NEXT_CHUNK, 1); chunk < chunks; chunk = Atomics.add(shared, NEXT_CHUNK, 1)) {
    const entries: Entry[] = [];
    const findings: Finding[] = [];
    const refused: Problem[] = [];
    let failed: string | undefined;
    for (let i = chunk * chunkFiles; i < Math.min(names.length, (chunk + 1) * chunkFiles) && failed === undefined; i++) {
      const rel = names[i];
      try {
        const got = readRegularFile(path.join(dir, rel));
        if (typeof got === 'string') refused.push({ path: path.join(label, rel), message: `${got}: ${NOT_REGULAR_FIX}` });
        else {
          const r = readYamlObjects(`${label}/${rel}`, clusterOfFile(rel), got, keep);
          for (const e of r.entries) entries.push(e);
          for (const f of r.findings) findings.push(f);
        }
      } catch {
        failed = rel;
      }
    }
    post(failed === undefined ? { chunk, entries, findings, refused } : { chunk, failed });
  }
  port.close();
}
