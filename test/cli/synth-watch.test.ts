import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../lib/internal';
import { watchSynth, WatchOptions } from '../../lib/cli/commands/synth-watch';
import { SpecError } from '../../lib/core/errors';
import { ROOT, sharedPath } from '../support/shared';
import { until } from '../support/e2e/processes';
import { captureIO, snapshot, tmpDir } from '../support/tmp';

const SCHEMAS = ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

/** Resolves when `cond` holds (polled every 20 ms); rejects after `ms`. */
const waitFor = (what: string, cond: () => boolean, ms = 5000): Promise<true> => until(what, ms, async () => (cond() ? true : undefined), 20);

/** A watch (real timers, a poll every 30 ms) of a new stack file holding `text`, with `synth`. */
function startWatch(text: string, synth: (file: string) => void, more: Partial<WatchOptions> = {}) {
  const file = path.join(tmpDir(), 'stack.yaml');
  fs.writeFileSync(file, text);
  const c = captureIO();
  const stop = new AbortController();
  const watching = watchSynth(c.io, { file, pollMs: 30, signal: stop.signal, synth: () => synth(file), ...more });
  return { file, c, stop, watching };
}

describe('watchSynth', () => {
  test('synthesizes at start and after each change once the file holds still; a failed synth is reported and the watch goes on', async () => {
    const reads: string[] = [];
    const { file, c, stop, watching } = startWatch('a\n', (f) => {
      const text = fs.readFileSync(f, 'utf8');
      reads.push(text);
      if (text.startsWith('bad')) throw new SpecError([{ path: 'monitoring.retention', message: 'must be a Prometheus duration' }]);
    });
    await waitFor('the first synth', () => reads.length === 1);
    // Three writes in a row (an editor's save in parts) are one synth, of the last.
    fs.writeFileSync(file, 'b1\n');
    fs.appendFileSync(file, 'b2\n');
    fs.appendFileSync(file, 'b3\n');
    await waitFor('the synth after the change', () => reads.length === 2);
    expect(reads[1]).toBe('b1\nb2\nb3\n');
    // Replaced by rename (another inode, as editors save), with a problem: reported, and the watch goes on.
    fs.writeFileSync(`${file}.new`, 'bad\n');
    fs.renameSync(`${file}.new`, file);
    await waitFor('the synth of the renamed file', () => reads.length === 3);
    fs.writeFileSync(file, 'good again\n');
    await waitFor('the synth after the fix', () => reads.length === 4);
    // Nothing changed: no synth.
    await new Promise((r) => setTimeout(r, 200));
    expect(reads).toHaveLength(4);
    stop.abort();
    expect(await watching).toBe(0);
    const lines = c.err().split('\n').filter(Boolean);
    expect(lines.map((l) => l.replace(/ in \d+\.\d\d s;/, ' in N s;'))).toEqual([
      `synthesized in N s; watching ${file} for changes (Ctrl-C stops)`,
      `synthesized in N s; watching ${file} for changes (Ctrl-C stops)`,
      'error: invalid stack (1 problem)',
      '  monitoring.retention: must be a Prometheus duration',
      `synth failed (exit 2) in N s; watching ${file} for changes (Ctrl-C stops)`,
      `synthesized in N s; watching ${file} for changes (Ctrl-C stops)`,
    ]);
  });

  test('with change events, a save is synthesized once it held still for the settle time, long before the next poll', async () => {
    const reads: string[] = [];
    // A poll a minute: within the seconds this test waits, only a change event can start a synth.
    const { file, stop, watching } = startWatch('a\n', (f) => void reads.push(fs.readFileSync(f, 'utf8')), { pollMs: 60_000, settleMs: 50 });
    try {
      await waitFor('the first synth', () => reads.length === 1);
      fs.writeFileSync(file, 'b1\n');
      fs.appendFileSync(file, 'b2\n');
      await waitFor('the synth after a write, from its event', () => reads.length === 2, 3000);
      expect(reads[1]).toBe('b1\nb2\n');
      fs.writeFileSync(`${file}.new`, 'c\n');
      fs.renameSync(`${file}.new`, file);
      await waitFor('the synth after a rename over it, from its event', () => reads.length === 3, 3000);
      expect(reads[2]).toBe('c\n');
      // Another file in the folder changing is not the stack file changing.
      fs.writeFileSync(path.join(path.dirname(file), 'other.yaml'), 'x\n');
      await new Promise((r) => setTimeout(r, 300));
      expect(reads).toHaveLength(3);
    } finally {
      stop.abort(); // also when a wait failed: the minute-long poll must not outlive the test
    }
    expect(await watching).toBe(0);
  });

  describe('poll by poll (fake timers)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    /** A watch of a new file, whose synths are recorded; `during(n)` runs inside synth n (1-based) before it ends. */
    async function watchOf(during: (n: number) => Promise<void> | void = () => undefined) {
      const file = path.join(tmpDir(), 'stack.yaml');
      fs.writeFileSync(file, 'v0\n');
      const reads: string[] = [];
      const busy: boolean[] = [];
      const stop = new AbortController();
      const c = captureIO();
      const watching = watchSynth(c.io, {
        file,
        pollMs: 50,
        events: false, // the polls alone, as the fake timers drive them
        signal: stop.signal,
        busy: (b) => busy.push(b),
        synth: async () => {
          reads.push(fs.readFileSync(file, 'utf8'));
          await during(reads.length);
        },
      });
      await jest.advanceTimersByTimeAsync(0);
      expect(reads).toEqual(['v0\n']);
      return { file, reads, busy, stop, watching, poll: () => jest.advanceTimersByTimeAsync(50) };
    }

    test('a file still changing at a poll is not read: one synth once it held still, of its last content', async () => {
      const w = await watchOf();
      fs.writeFileSync(w.file, 'v1\n');
      await w.poll(); // changed since the last synth, but not yet seen the same twice
      fs.writeFileSync(w.file, 'v2 longer\n');
      await w.poll(); // changed again
      expect(w.reads).toHaveLength(1);
      await w.poll(); // held still since the last poll
      expect(w.reads).toEqual(['v0\n', 'v2 longer\n']);
      await w.poll();
      await w.poll();
      expect(w.reads).toHaveLength(2);
      expect(w.busy).toEqual([true, false, true, false]);
      w.stop.abort();
      expect(await w.watching).toBe(0);
    });

    test('a change made while a synth runs is synthesized after it', async () => {
      const w = await watchOf((n) => {
        if (n === 2) fs.writeFileSync(path.join(path.dirname(w.file), 'stack.yaml'), 'v2, saved during synth 2\n');
      });
      fs.writeFileSync(w.file, 'v1\n');
      await w.poll();
      await w.poll();
      expect(w.reads).toEqual(['v0\n', 'v1\n']);
      await w.poll();
      await w.poll();
      expect(w.reads).toEqual(['v0\n', 'v1\n', 'v2, saved during synth 2\n']);
      w.stop.abort();
      await w.watching;
    });

    test('stopped while a synth runs, the watch ends when that synth does', async () => {
      let release: () => void = () => undefined;
      const w = await watchOf((n) => (n === 2 ? new Promise<void>((r) => (release = r)) : undefined));
      fs.writeFileSync(w.file, 'v1\n');
      await w.poll();
      await w.poll();
      expect(w.reads).toHaveLength(2);
      let ended = false;
      void w.watching.then(() => (ended = true));
      w.stop.abort();
      await jest.advanceTimersByTimeAsync(500);
      expect(ended).toBe(false);
      release();
      await jest.advanceTimersByTimeAsync(0);
      expect(ended).toBe(true);
    });
  });

  test('a synth that hits a bug (exit 3) is reported, afterBug runs, and the watch goes on', async () => {
    let forgotten = 0;
    const bug = (f: string) => {
      if (fs.readFileSync(f, 'utf8') === 'x\n') throw new TypeError('boom');
    };
    const { file, c, stop, watching } = startWatch('x\n', bug, { afterBug: () => forgotten++ });
    await waitFor('the failed synth', () => c.err().includes('synth failed (exit 3)'));
    expect(c.err()).toContain('internal error: TypeError: boom');
    expect(forgotten).toBe(1);
    fs.writeFileSync(file, 'y\n');
    await waitFor('the next synth', () => /synthesized in /.test(c.err()));
    stop.abort();
    expect(await watching).toBe(0);
    expect(forgotten).toBe(1);
  });

  test('ends with the exit code of the last synth', async () => {
    const { c, stop, watching } = startWatch('x\n', () => {
      throw new SpecError([{ path: 'name', message: 'is required' }]);
    });
    await waitFor('the failed synth', () => c.err().includes('synth failed (exit 2)'));
    stop.abort();
    expect(await watching).toBe(2);
  });
});

describe('edgewatt synth --watch', () => {
  test('refuses --check and --output json (exit 2), naming the flag', async () => {
    const c = captureIO();
    expect(await runCli(['synth', '--watch', '--check', '-c', path.join(ROOT, 'apps/demo/stack.yaml'), '-o', path.join(tmpDir(), 'dist')], c.io)).toBe(2);
    expect(c.err()).toContain('--watch: cannot be used with --check');
    const j = captureIO();
    expect(await runCli(['synth', '--watch', '--output', 'json', '-c', path.join(ROOT, 'apps/demo/stack.yaml'), '-o', path.join(tmpDir(), 'dist')], j.io)).toBe(2);
    const doc = JSON.parse(j.out()) as { ok: boolean; exitCode: number; problems: Array<{ path: string; message: string }> };
    expect(doc).toMatchObject({ command: 'synth', ok: false, exitCode: 2, problems: [{ path: '--watch' }] });
    expect(doc.problems[0].message).toMatch(/^cannot be used with --output json /);
  });

  test('re-synthesizes the bundled example when stack.yaml changes, keeps dist/ on a bad edit, and stops on SIGTERM', async () => {
    const dir = tmpDir();
    const stackFile = path.join(dir, 'stack.yaml');
    const original = fs.readFileSync(path.join(ROOT, 'apps/demo/stack.yaml'), 'utf8');
    fs.writeFileSync(stackFile, original);
    const out = path.join(dir, 'dist');
    let stdout = '';
    let stderr = '';
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [path.join(ROOT, 'bin/edgewatt.js'), 'synth', '--watch', '-c', stackFile, '-o', out, ...SCHEMAS], {
      cwd: dir,
      timeout: 240_000,
    });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const synths = () => stderr.split('\n').filter((l) => / in \d+\.\d\d s; watching /.test(l)).length;
    try {
      await waitFor('the first synth', () => synths() === 1, 60_000);
      expect(stdout).toMatch(/^synthesized \d+ objects into (\d+) files in .*: \1 written, 0 unchanged, 0 removed\n/);
      const config = path.join(out, 'hub/monitoring/configmap-prometheus-config.yaml');
      expect(fs.readFileSync(config, 'utf8')).toContain('scrape_interval: 30s');

      fs.writeFileSync(stackFile, original.replace('scrapeInterval: 30s', 'scrapeInterval: 20s'));
      await waitFor('the synth after the change', () => synths() === 2, 60_000);
      expect(stdout.split('\n').filter((l) => l.startsWith('synthesized '))[1]).toMatch(/: [1-9]\d* written, \d+ unchanged, 0 removed$/);
      expect(fs.readFileSync(config, 'utf8')).toContain('scrape_interval: 20s');

      // A bad edit: the problem on stderr, dist/ exactly as it was, and the watch goes on.
      const before = snapshot(out);
      fs.writeFileSync(stackFile, original.replace('scrapeInterval: 30s', 'scrapeInterval: often'));
      await waitFor('the failed synth', () => synths() === 3, 60_000);
      expect(stderr).toMatch(/stack\.yaml:\d+:\d+: monitoring\.scrapeInterval: /);
      expect(stderr).toContain('synth failed (exit 2)');
      expect(snapshot(out)).toEqual(before);

      fs.writeFileSync(stackFile, original);
      await waitFor('the synth after the fix', () => synths() === 4, 60_000);
      expect(fs.readFileSync(config, 'utf8')).toContain('scrape_interval: 30s');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 250_000);
});
