import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { runCli } from '../../lib/internal';
import { FAST_YAML_MIN_BYTES } from '../../lib/spec/parse';
import { ROOT, sharedPath } from '../support/shared';
import { until } from '../support/e2e/processes';
import { captureIO, snapshot, tmpDir } from '../support/tmp';

const SCHEMAS = ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

/** Every file below `dir` and its text. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(dir)).map(([f, s]) => [f, s.content]));
}

/**
 * The watch reads a save of a large stack.yaml by its edits (lib/spec/stack-reader.ts): what it writes must be what a
 * synth of the saved file in a process of its own writes, and a bad edit must be reported with its line.
 */
describe('edgewatt synth --watch of a large stack.yaml (read by its edits)', () => {
  test('writes what a synth of each saved file writes, reports a bad device with its line, and reads the fix', async () => {
    const dir = tmpDir();
    const stackFile = path.join(dir, 'watched', 'stack.yaml');
    fs.mkdirSync(path.dirname(stackFile));
    const original = yaml.stringify(benchStack(3000));
    expect(Buffer.byteLength(original)).toBeGreaterThanOrEqual(FAST_YAML_MIN_BYTES);
    fs.writeFileSync(stackFile, original);
    const out = path.join(dir, 'watched', 'dist');
    let stderr = '';
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatt.js'), 'synth', '--watch', '-c', stackFile, '-o', out, ...SCHEMAS], {
      cwd: dir,
      timeout: 170_000,
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const synths = () => stderr.split('\n').filter((l) => / in \d+\.\d\d s; watching /.test(l)).length;
    const waitFor = (what: string, n: number) => until(what, 60_000, async () => (synths() >= n ? true : undefined), 20);
    /** The saved text through `edgewatt synth` in this process, into a folder of its own: its files. */
    const alone = async (text: string): Promise<Record<string, string>> => {
      const own = tmpDir();
      fs.writeFileSync(path.join(own, 'stack.yaml'), text);
      const c = captureIO();
      expect(await runCli(['synth', '-c', path.join(own, 'stack.yaml'), '-o', path.join(own, 'dist'), ...SCHEMAS], c.io)).toBe(0);
      return contents(path.join(own, 'dist'));
    };
    /** Saves `text` as editors do (a new file renamed over the watched one). */
    const save = (text: string): void => {
      fs.writeFileSync(`${stackFile}.tmp`, text);
      fs.renameSync(`${stackFile}.tmp`, stackFile);
    };
    try {
      await waitFor('the first synth', 1);
      // One device renamed, one IoMT pipeline's analyzer changed: each save written as a synth of it alone writes it.
      const renamed = original.replace('name: dev-00005\n', 'name: dev-00005-renamed\n');
      const pipeline = renamed.replace('image: registry.example/iomt/analyzer:1.0.0\n', 'image: registry.example/iomt/analyzer:1.0.1\n');
      for (const [n, text] of [
        [2, renamed],
        [3, pipeline],
      ] as const) {
        expect(text).not.toBe(original);
        save(text);
        await waitFor(`synth ${n}`, n);
        expect(stderr).not.toContain('synth failed');
        expect(contents(out)).toEqual(await alone(text));
      }
      expect(Object.keys(contents(out)).some((f) => f.includes('dev-00005-renamed'))).toBe(true);

      // A device name the schema refuses: reported at its line, dist/ left as it was, and the watch goes on.
      const before = contents(out);
      const bad = pipeline.replace('name: dev-00007\n', 'name: Dev_00007\n');
      const line = bad.split('\n').findIndex((l) => l.includes('name: Dev_00007')) + 1;
      save(bad);
      await waitFor('the failed synth', 4);
      expect(stderr).toContain('synth failed (exit 2)');
      expect(stderr).toMatch(new RegExp(`stack\\.yaml:${line}:\\d+: fleet\\.devices\\[7\\]\\.name: `));
      expect(contents(out)).toEqual(before);

      // The fix: the original again.
      save(original);
      await waitFor('the synth after the fix', 5);
      expect(stderr.split('\n').filter((l) => l.includes('synth failed'))).toHaveLength(1);
      expect(contents(out)).toEqual(await alone(original));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
