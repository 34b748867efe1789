import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { stringify } from 'yaml';
import { benchStack } from '../../bench/stacks';
import { daemonAddress, daemonDir, wantsDaemon } from '../../lib/cli/daemon/address';
import { acquireLock } from '../../lib/synth/lock';
import { until } from '../support/e2e/processes';
import { ROOT, sharedPath } from '../support/shared';
import { snapshot, tmpDir } from '../support/tmp';

/**
 * The synth daemon (lib/cli/daemon): `edgewatt synth` run as users run it (bin/edgewatt.js, a process each) through
 * the daemon of its working folder, against the same synth in a process of its own (--no-daemon).
 */
const BIN = path.join(ROOT, 'bin', 'edgewatt.js');
const SCHEMAS = ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];
const DEMO = fs.readFileSync(path.join(ROOT, 'apps/demo/stack.yaml'), 'utf8');

/**
 * Every daemon folder a test used: each daemon that logged there is killed after the test, whatever happened (after
 * each test, before support/tmp's afterAll removes the folders with their logs; a daemon whose socket file is gone
 * exits within 10 s anyway).
 */
const daemonDirs: string[] = [];
afterEach(() => {
  for (const dir of daemonDirs.splice(0)) {
    for (const log of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log')) : []) {
      for (const m of fs.readFileSync(path.join(dir, log), 'utf8').matchAll(/pid (\d+), serving/g)) {
        try {
          process.kill(Number(m[1]), 'SIGKILL');
        } catch {
          // exited already
        }
      }
    }
  }
});

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** `edgewatt <args>` in `cwd` with the daemon on (its folder `dir`), bounded in time. */
function edgewatt(cwd: string, dir: string, args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, EDGEWATT_DAEMON: 'on', EDGEWATT_DAEMON_DIR: dir, EDGEWATT_DAEMON_IDLE_SECONDS: '120', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`edgewatt ${args.join(' ')}: no exit within 90 s; stderr: ${err}`));
    }, 90_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
    if (p.pid !== undefined) onSpawn?.(p.pid);
  });
}

/** The pid of the daemon whose log is in `dir` (its first line), once it listens. */
async function daemonPid(dir: string): Promise<number> {
  return until('the daemon listening', 20_000, async () => {
    const log = fs.readdirSync(dir).find((f) => f.endsWith('.log'));
    const m = log === undefined ? null : /pid (\d+), serving/.exec(fs.readFileSync(path.join(dir, log), 'utf8'));
    return m ? Number(m[1]) : undefined;
  }, 20);
}

/** Whether `pid` still runs (a zombie does not: a client that started the daemon reaps it only when its loop runs). */
const alive = (pid: number): boolean => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
};

/** Resolves once `pid` has used no CPU for 400 ms (blocked: waiting on the output folder's lock here). */
async function blocked(pid: number): Promise<void> {
  const cpu = (): string => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).join(' ');
  let last = cpu();
  let since = Date.now();
  await until('the daemon waiting on the lock', 30_000, async () => {
    const now = cpu();
    if (now !== last) [last, since] = [now, Date.now()];
    return Date.now() - since >= 400 ? true : undefined;
  }, 50);
}

/** A working folder holding the bundled example as stack.yaml, and a daemon folder (mode 0700, as mkdtemp makes it). */
function folders(stack = DEMO): { work: string; dir: string } {
  const work = tmpDir();
  fs.writeFileSync(path.join(work, 'stack.yaml'), stack);
  const dir = tmpDir('edgewatt-daemon-');
  daemonDirs.push(dir);
  return { work, dir };
}

/** The live processes whose command line holds `text` (the daemons of one socket, say). */
function processesWith(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) && alive(Number(p));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const contents = (dir: string): Record<string, string> => Object.fromEntries(Object.entries(snapshot(dir)).map(([f, s]) => [f, s.content]));

jest.setTimeout(120_000);

describe('edgewatt synth through the synth daemon', () => {
  test('writes what a synth in its own process writes, the next synth served by the same daemon; a bad stack is reported and changes nothing; status and stop', async () => {
    const { work, dir } = folders();
    const synth = (out: string, bootstrap: string, ...more: string[]) => ['synth', '-o', out, '--argocd-out', bootstrap, ...SCHEMAS, ...more];
    const first = await edgewatt(work, dir, synth('dist', 'argocd'));
    expect(first.err).toContain('note: started the synth daemon of this folder');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^synthesized \d+ objects into \d+ files in dist: \d+ written, 0 unchanged, 0 removed\n/);
    const pid = await daemonPid(dir);
    const ref = await edgewatt(work, dir, synth('ref', 'ref-argocd', '--no-daemon'));
    expect(ref.code).toBe(0);
    expect(ref.err).not.toContain('synth daemon');
    expect(contents(path.join(work, 'dist'))).toEqual(contents(path.join(work, 'ref')));
    expect(contents(path.join(work, 'argocd'))).toEqual(contents(path.join(work, 'ref-argocd')));

    // One device renamed: the same daemon synthesizes (no note), and writes what a process of its own does.
    fs.writeFileSync(path.join(work, 'stack.yaml'), DEMO.replace(/- name: pi-01\b/, '- name: pi-02').replace(/device: pi-01\b/g, 'device: pi-02'));
    const second = await edgewatt(work, dir, synth('dist', 'argocd'));
    expect(second.err).toBe('');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/: [1-9]\d* written, \d+ unchanged, [1-9]\d* removed\n/);
    expect((await edgewatt(work, dir, synth('ref', 'ref-argocd', '--no-daemon'))).code).toBe(0);
    expect(contents(path.join(work, 'dist'))).toEqual(contents(path.join(work, 'ref')));
    const status = await edgewatt(work, dir, ['daemon', 'status']);
    expect(status.out).toMatch(new RegExp(`^the synth daemon runs: pid ${pid}, 2 synths in \\d+ s, peak RSS \\d+ MiB\\n$`));

    // A bad stack: the problem with its field path, exit 2, the output folder untouched; then --check and JSON.
    const before = snapshot(path.join(work, 'dist'));
    fs.writeFileSync(path.join(work, 'stack.yaml'), DEMO.replace(/^name: smart-factory$/m, 'name: Smart_Factory'));
    const bad = await edgewatt(work, dir, synth('dist', 'argocd'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: invalid stack \(1 problem\)\n {2}stack\.yaml:4:7: name: must be a DNS label/);
    expect(snapshot(path.join(work, 'dist'))).toEqual(before);
    const check = await edgewatt(work, dir, synth('dist', 'argocd', '--check', '--output', 'json'));
    expect(check.code).toBe(2);
    expect(JSON.parse(check.out)).toMatchObject({ command: 'synth --check', ok: false, exitCode: 2 });

    const stop = await edgewatt(work, dir, ['daemon', 'stop']);
    expect(stop.out).toMatch(new RegExp(`^stopped the synth daemon: pid ${pid}, 4 synths`));
    await until('the daemon gone', 10_000, async () => (alive(pid) ? undefined : true), 50);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.sock'))).toEqual([]);
    expect((await edgewatt(work, dir, ['daemon', 'status'])).out).toBe('no synth daemon runs for this folder with this build and environment (--all: any of yours)\n');
  });

  test('a stack read by its edits from the text the daemon kept writes what a whole read gives; another stack file into the same folder too', async () => {
    // Over 256 KiB, so the reader keeps the text and splices an edit into it (lib/spec/stack-reader.ts).
    const stack = benchStack(3000) as unknown as { fleet: { devices: Array<{ name: string }> } };
    const text = stringify(stack);
    expect(text.length).toBeGreaterThan(256 * 1024);
    const { work, dir } = folders(text);
    const synth = (config: string, out: string, bootstrap: string, ...more: string[]) => ['synth', '-c', config, '-o', out, '--argocd-out', bootstrap, ...more];
    expect((await edgewatt(work, dir, synth('stack.yaml', 'dist', 'argocd'))).code).toBe(0);
    stack.fleet.devices[1234].name = 'dev-renamed';
    fs.writeFileSync(path.join(work, 'stack.yaml'), stringify(stack));
    const edited = await edgewatt(work, dir, synth('stack.yaml', 'dist', 'argocd'));
    expect(edited.code).toBe(0);
    expect(edited.err).not.toContain('synth daemon'); // the same daemon, and it ended its synth
    expect(edited.out).toMatch(/: 1 written, \d+ unchanged, 1 removed\n/);
    expect((await edgewatt(work, dir, synth('stack.yaml', 'ref', 'ref-argocd', '--no-daemon'))).code).toBe(0);
    expect(contents(path.join(work, 'dist'))).toEqual(contents(path.join(work, 'ref')));
    // The daemon read with the reader it kept, which it does not write back (a synth in its own process does).
    expect(fs.existsSync(path.join(work, '.edgewatt.cache', 'dist', 'stack.json'))).toBe(false);
    expect(fs.existsSync(path.join(work, '.edgewatt.cache', 'ref', 'stack.json'))).toBe(true);
    // Another file, another edit, into the same folder.
    stack.fleet.devices[10].name = 'dev-other';
    fs.writeFileSync(path.join(work, 'other.yaml'), stringify(stack));
    expect((await edgewatt(work, dir, synth('other.yaml', 'dist', 'argocd'))).code).toBe(0);
    expect((await edgewatt(work, dir, synth('other.yaml', 'ref', 'ref-argocd', '--no-daemon'))).code).toBe(0);
    expect(contents(path.join(work, 'dist'))).toEqual(contents(path.join(work, 'ref')));
    expect((await edgewatt(work, dir, ['daemon', 'status'])).out).toMatch(/, 3 synths in /);
  });

  test('two commands started together get one daemon; a killed daemon\'s socket file is replaced by the next command\'s daemon', async () => {
    const { work, dir } = folders();
    const both = await Promise.all([edgewatt(work, dir, ['synth', '-o', 'a', '--argocd-out', 'a-argocd']), edgewatt(work, dir, ['synth', '-o', 'b', '--argocd-out', 'b-argocd'])]);
    expect(both.map((r) => r.code)).toEqual([0, 0]);
    expect(contents(path.join(work, 'a'))).toEqual(contents(path.join(work, 'b')));
    const socket = fs.readdirSync(dir).filter((f) => f.endsWith('.sock'));
    expect(socket).toHaveLength(1);
    const pid = await daemonPid(dir);
    // Whichever started first, one daemon serves, and no other is left (a loser exits once its socket was replaced).
    await until('one daemon left', 15_000, async () => (processesWith(path.join(dir, socket[0])).length === 1 ? true : undefined), 100);
    expect(processesWith(path.join(dir, socket[0]))).toEqual([pid]);
    process.kill(pid, 'SIGKILL');
    await until('the daemon gone', 10_000, async () => (alive(pid) ? undefined : true), 50);
    expect(fs.existsSync(path.join(dir, socket[0]))).toBe(true); // left by the killed daemon
    const next = await edgewatt(work, dir, ['synth', '-o', 'a', '--argocd-out', 'a-argocd']);
    expect(next.code).toBe(0);
    expect(next.err).toContain('note: started the synth daemon of this folder');
    const second = await daemonPid(dir);
    expect(second).not.toBe(pid);
    // From another folder: none of its own, but --all reaches every daemon of the user's folder.
    const elsewhere = tmpDir();
    expect((await edgewatt(elsewhere, dir, ['daemon', 'status'])).out).toBe('no synth daemon runs for this folder with this build and environment (--all: any of yours)\n');
    expect((await edgewatt(elsewhere, dir, ['daemon', 'status', '--all'])).out).toMatch(new RegExp(`^the synth daemon runs: pid ${second}, 1 synth in \\d+ s, peak RSS \\d+ MiB\\n$`));
    expect((await edgewatt(elsewhere, dir, ['daemon', 'stop', '--all'])).out).toMatch(new RegExp(`^stopped the synth daemon: pid ${second}, 1 synth in`));
    await until('the daemon gone', 10_000, async () => (alive(second) ? undefined : true), 50);
    expect((await edgewatt(elsewhere, dir, ['daemon', 'status', '--all'])).out).toBe('no synth daemon runs\n');
  });

  test('Ctrl-C of the client kills the synth under way in the daemon, as it kills a synth in its own process', async () => {
    const { work, dir } = folders();
    const release = acquireLock(path.join(work, 'dist'));
    try {
      let client = 0;
      const run = edgewatt(work, dir, ['synth', '-o', 'dist', '--wait-lock', '60s'], {}, (p) => (client = p));
      const pid = await daemonPid(dir);
      await blocked(pid);
      process.kill(client, 'SIGINT');
      const r = await run;
      expect(r.signal).toBe('SIGINT');
      await until('the daemon gone', 10_000, async () => (alive(pid) ? undefined : true), 50);
      // What the killed daemon left (its socket file, its log): `daemon stop --all` removes it.
      expect(fs.readdirSync(dir).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/\.sock$/), expect.stringMatching(/\.log$/)]));
      expect((await edgewatt(work, dir, ['daemon', 'stop', '--all'])).out).toBe('no synth daemon runs\n');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      release();
    }
  });

  test('the daemon synthesizes only once the client, told its pid, says go (a client stopped before gets no synth)', async () => {
    const { work, dir } = folders();
    expect((await edgewatt(work, dir, ['synth', '-o', 'dist', '--argocd-out', 'argocd'])).code).toBe(0);
    const pid = await daemonPid(dir);
    const socketFile = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.sock')) as string);
    const st = fs.statSync(work);
    const request = { synth: ['synth', '-o', 'other', '--argocd-out', 'other-argocd'], context: { cwd: `${st.dev}:${st.ino}`, umask: process.umask(), stderrTTY: false } };
    // A client that asks, hears hello, and goes away without go (as one stopped by Ctrl-C then).
    const hello = await new Promise<string>((resolve, reject) => {
      const s = net.connect(socketFile);
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\n')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      s.write(`${JSON.stringify(request)}\n`);
    });
    expect(JSON.parse(hello)).toEqual({ hello: pid, idleSeconds: 120 });
    const status = await edgewatt(work, dir, ['daemon', 'status']);
    expect(status.out).toMatch(new RegExp(`^the synth daemon runs: pid ${pid}, 1 synth in`));
    expect(fs.existsSync(path.join(work, 'other'))).toBe(false);
    // The same request with go: synthesized.
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(socketFile);
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.split('\n').length === 2) s.write(`${JSON.stringify({ go: true })}\n`);
      });
      s.on('close', () => resolve(got));
      s.on('error', reject);
      s.write(`${JSON.stringify(request)}\n`);
    });
    expect(answer.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).pop()).toEqual({ exit: 0 });
    expect(fs.existsSync(path.join(work, 'other'))).toBe(true);
  });

  test('a command stopped while its synth waits its turn gets no synth', async () => {
    const { work, dir } = folders();
    const release = acquireLock(path.join(work, 'dist'));
    let released = false;
    try {
      const first = edgewatt(work, dir, ['synth', '-o', 'dist', '--argocd-out', 'argocd', '--wait-lock', '60s']);
      const pid = await daemonPid(dir);
      await blocked(pid);
      let queued = 0;
      const second = edgewatt(work, dir, ['synth', '-o', 'other', '--argocd-out', 'other-argocd'], {}, (p) => (queued = p));
      // Connected and waiting (its request read, no answer yet): stopped there.
      await new Promise((r) => setTimeout(r, 500));
      process.kill(queued, 'SIGINT');
      expect((await second).signal).toBe('SIGINT');
      release();
      released = true;
      expect((await first).code).toBe(0);
      const status = await edgewatt(work, dir, ['daemon', 'status']);
      expect(status.out).toMatch(new RegExp(`^the synth daemon runs: pid ${pid}, 1 synth in`));
      expect(fs.existsSync(path.join(work, 'other'))).toBe(false);
      expect(alive(pid)).toBe(true);
    } finally {
      if (!released) release();
    }
  });

  test('a daemon that ends before its synth does: the client says so and synthesizes in its own process', async () => {
    const { work, dir } = folders();
    const release = acquireLock(path.join(work, 'dist'));
    let released = false;
    try {
      const run = edgewatt(work, dir, ['synth', '-o', 'dist', '--wait-lock', '60s', ...SCHEMAS]);
      const pid = await daemonPid(dir);
      await blocked(pid);
      process.kill(pid, 'SIGKILL');
      // The client now waits on the lock in its own process: let it go.
      await until('the daemon gone', 10_000, async () => (alive(pid) ? undefined : true), 50);
      release();
      released = true;
      const r = await run;
      expect(r.err).toContain('note: the synth daemon ended before its synth did');
      expect(r.code).toBe(0);
      const check = await edgewatt(work, dir, ['synth', '--check', '--no-daemon', '-o', 'dist', ...SCHEMAS]);
      expect(check.out).toBe('dist is up to date with stack.yaml\n');
    } finally {
      if (!released) release();
    }
  });

  test('a daemon folder whose socket path would be too long: no daemon, a note, the synth in its own process', async () => {
    const { work, dir } = folders();
    const deep = path.join(dir, 'x'.repeat(100));
    const r = await edgewatt(work, deep, ['synth', '-o', 'dist']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: no synth daemon: a socket in ${deep} would have too long a path`);
    expect(r.out).toMatch(/^synthesized \d+ objects/);
  });

  test('a daemon folder open to others: no daemon, a note, the synth in its own process', async () => {
    const { work, dir } = folders();
    fs.chmodSync(dir, 0o755);
    const r = await edgewatt(work, dir, ['synth', '-o', 'dist']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: no synth daemon: ${dir} is not a folder of yours alone`);
    expect(r.out).toMatch(/^synthesized \d+ objects/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a daemon exits after EDGEWATT_DAEMON_IDLE_SECONDS without a request, and removes its socket', async () => {
    const { work, dir } = folders();
    const r = await edgewatt(work, dir, ['synth', '-o', 'dist'], { EDGEWATT_DAEMON_IDLE_SECONDS: '1' });
    expect(r.code).toBe(0);
    const pid = await daemonPid(dir);
    await until('the idle daemon gone', 15_000, async () => (alive(pid) ? undefined : true), 100);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.sock'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.log')) as string), 'utf8')).toContain(`pid ${pid} exits: idle`);
  });
});

describe('which daemon, and when', () => {
  test('one daemon per working folder, build and environment that a synth reads; how it is used is no part of it', () => {
    const a = tmpDir();
    const b = tmpDir();
    const dir = tmpDir('edgewatt-daemon-');
    const env = { EDGEWATT_DAEMON_DIR: dir, PATH: '/usr/bin' };
    const at = (cwd: string, more: NodeJS.ProcessEnv = {}) => daemonAddress(cwd, { ...env, ...more })?.socket;
    expect(at(a)).toMatch(new RegExp(`^${dir}/[0-9a-f]{20}\\.sock$`));
    expect(at(a)).toBe(at(a, { EDGEWATT_DAEMON: 'on', EDGEWATT_DAEMON_IDLE_SECONDS: '5', TERM: 'dumb' }));
    // The schema cache is under HOME or XDG_CACHE_HOME.
    expect(at(a)).not.toBe(at(a, { HOME: '/elsewhere' }));
    expect(at(a)).not.toBe(at(a, { XDG_CACHE_HOME: '/elsewhere' }));
    expect(at(a)).not.toBe(at(b));
    expect(at(a)).not.toBe(at(a, { EDGEWATT_K8S_OPENAPI: '/x.json' }));
    expect(at(a)).not.toBe(at(a, { CDK8S_DISABLE_SORT: '1' }));
    expect(at(a)).not.toBe(at(a, { NODE_OPTIONS: '--max-old-space-size=900' }));
    // A link to the folder is the folder.
    fs.symlinkSync(a, path.join(b, 'link'));
    expect(at(path.join(b, 'link'))).toBe(at(a));
  });

  test('no daemon where others could reach its socket: a folder open to others, or a link', () => {
    const open = tmpDir('edgewatt-daemon-');
    expect(daemonDir({ EDGEWATT_DAEMON_DIR: open })).toBe(open);
    fs.chmodSync(open, 0o755);
    expect(daemonDir({ EDGEWATT_DAEMON_DIR: open })).toBeUndefined();
    expect(daemonAddress(tmpDir(), { EDGEWATT_DAEMON_DIR: open })).toBeUndefined();
    const link = path.join(tmpDir(), 'link');
    fs.symlinkSync(tmpDir('edgewatt-daemon-'), link);
    expect(daemonDir({ EDGEWATT_DAEMON_DIR: link })).toBeUndefined();
    // Made when missing, with mode 0700.
    const made = path.join(tmpDir(), 'new');
    expect(daemonDir({ EDGEWATT_DAEMON_DIR: made })).toBe(made);
    expect(fs.statSync(made).mode & 0o777).toBe(0o700);
  });

  test('synth of a stack file of 1 MiB or more outside CI, unless turned off; EDGEWATT_DAEMON=on at any size', () => {
    const work = tmpDir();
    const small = path.join(work, 'small.yaml');
    const large = path.join(work, 'large.yaml');
    fs.writeFileSync(small, DEMO);
    fs.writeFileSync(large, `${DEMO}\n${'#'.repeat(1024 * 1024)}\n`);
    expect(wantsDaemon(['synth', '-c', large], {})).toBe(true);
    expect(wantsDaemon(['synth', `--config=${large}`], {})).toBe(true);
    expect(wantsDaemon(['synth', `-c${large}`, '-o', 'x'], {})).toBe(true);
    expect(wantsDaemon(['synth', '-c', small], {})).toBe(false);
    expect(wantsDaemon(['synth', '-c', path.join(work, 'missing.yaml')], {})).toBe(false);
    expect(wantsDaemon(['synth', '-c', large], { CI: 'true' })).toBe(false);
    expect(wantsDaemon(['synth', '-c', large], { EDGEWATT_DAEMON: 'off' })).toBe(false);
    expect(wantsDaemon(['synth', '-c', large], { EDGEWATT_DAEMON: '0' })).toBe(false);
    for (const flag of ['--watch', '--no-daemon', '--no-cache', '--help', '-h', '--version']) expect(wantsDaemon(['synth', '-c', large, flag], {})).toBe(false);
    // Under a debugger (it would be the daemon's), and a stack file only this process can open.
    expect(wantsDaemon(['synth', '-c', large], {}, ['--inspect-brk'])).toBe(false);
    expect(wantsDaemon(['synth', '-c', large], { NODE_OPTIONS: '--inspect' })).toBe(false);
    expect(wantsDaemon(['synth', '-c', '/dev/stdin'], { EDGEWATT_DAEMON: 'on' })).toBe(false);
    expect(wantsDaemon(['synth', '-c', '/proc/self/fd/0'], { EDGEWATT_DAEMON: 'on' })).toBe(false);
    const fifo = path.join(work, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(wantsDaemon(['synth', '-c', fifo], { EDGEWATT_DAEMON: 'on' })).toBe(false);
    // A regular file anywhere else, /dev/shm's tmpfs included.
    const shm = fs.mkdtempSync('/dev/shm/edgewatt-test-');
    try {
      fs.copyFileSync(large, path.join(shm, 'stack.yaml'));
      expect(wantsDaemon(['synth', '-c', path.join(shm, 'stack.yaml')], {})).toBe(true);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
    expect(wantsDaemon(['synth', '-c', small], { EDGEWATT_DAEMON: 'on', CI: 'true' })).toBe(true);
    expect(wantsDaemon(['synth', '-c', small], { EDGEWATT_DAEMON: '1' })).toBe(true);
    expect(wantsDaemon(['validate', 'dist'], { EDGEWATT_DAEMON: 'on' })).toBe(false);
  });
});
