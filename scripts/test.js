#!/usr/bin/env node
'use strict';
/**
 * `npm test`'s jest step: the `parallel` group of jest.config.js with two workers, then the `serial` group (the
 * end-to-end suites) one file at a time, alone on the machine. Arguments go to both runs (a path pattern, `-t`, …);
 * `--json --outputFile=<file>` (as .ci/run passes) gets one file with both runs' results merged. Exits non-zero when
 * either run failed; the second runs even when the first failed, so one run reports every failing test.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const jest = require.resolve('jest/bin/jest');
const args = process.argv.slice(2);

/** The value of --outputFile in `args` (both `--outputFile=x` and `--outputFile x`), and the args without it. */
function splitOutputFile(list) {
  const rest = [];
  let file;
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a.startsWith('--outputFile=')) file = a.slice('--outputFile='.length);
    else if (a === '--outputFile' && i + 1 < list.length) file = list[++i];
    else rest.push(a);
  }
  return { file, rest };
}

/** Two jest JSON results as one: counts added, result lists joined, `success` only when both succeeded. */
function merge(a, b) {
  if (a === undefined) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = a[k];
    if (k === 'startTime') out[k] = Math.min(mine, v);
    else if (k === 'success') out[k] = mine && v;
    else if (typeof v === 'number' && typeof mine === 'number') out[k] = mine + v;
    else if (typeof v === 'boolean' && typeof mine === 'boolean') out[k] = mine || v;
    else if (Array.isArray(v) && Array.isArray(mine)) out[k] = [...mine, ...v];
    else if (v && typeof v === 'object' && mine && typeof mine === 'object') out[k] = merge(mine, v);
    else if (mine === undefined) out[k] = v;
  }
  return out;
}

const { file, rest } = splitOutputFile(args);
const runs = [
  ['--selectProjects', 'parallel', '--maxWorkers=2'],
  ['--selectProjects', 'serial', '--runInBand'],
];
const scratch = file === undefined ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-jest-'));
let status = 0;
let merged;
runs.forEach((run, i) => {
  const part = scratch === undefined ? [] : [`--outputFile=${path.join(scratch, `${i}.json`)}`];
  // --passWithNoTests: a path pattern may leave one group without a test file.
  const r = spawnSync(process.execPath, [jest, ...run, '--passWithNoTests', ...rest, ...part], { stdio: 'inherit' });
  const code = r.status === null ? 1 : r.status;
  if (code !== 0 && status === 0) status = code;
  if (scratch !== undefined) {
    const written = path.join(scratch, `${i}.json`);
    if (fs.existsSync(written)) merged = merge(merged, JSON.parse(fs.readFileSync(written, 'utf8')));
    else status = status || 1;
  }
});
if (scratch !== undefined) {
  if (merged !== undefined) {
    fs.writeFileSync(file, JSON.stringify(merged));
    process.stdout.write(`Both runs' results merged into ${file} (the paths jest printed above are removed)\n`);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
