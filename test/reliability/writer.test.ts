import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StackInput, synthesize } from '../../lib/internal';
import { acquireLock, lockPath } from '../../lib/synth/lock';
import { sharedPath } from '../support/shared';
import { tmpDir } from '../support/tmp';
import { cli, deadPid, gitopsStack, holds, leftovers, lsnap, stackFile } from './support';

/** A folder with stack files a and b, and dist/ + argocd/ holding stack a. */
async function setup(): Promise<{ dir: string; dist: string; argocd: string; a: string; b: string }> {
  const dir = tmpDir();
  const a = stackFile(dir, 'a', gitopsStack('lab-a'));
  const b = stackFile(dir, 'b', gitopsStack('lab-b', 'edge-b'));
  const dist = path.join(dir, 'dist');
  expect((await cli('synth', '-c', a, '-o', dist)).code).toBe(0);
  return { dir, dist, argocd: path.join(dir, 'argocd'), a, b };
}

describe('item 1: one writer at a time (exclusive lock)', () => {
  test('a synth into a folder another live edgewatt holds exits 6, names the holder, and touches nothing', async () => {
    const { dir, dist, b } = await setup();
    const lock = lockPath(dist);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: '2026-12-01T00:00:00Z' }));
    const before = lsnap(dir);
    const r = await cli('synth', '-c', b, '-o', dist);
    expect(r.code).toBe(6);
    expect(r.err).toContain(`error: ${dist} is being written by another edgewatt (pid ${process.ppid} on ${os.hostname()}`);
    expect(r.err).toContain('pass --wait-lock <duration>');
    expect(lsnap(dir)).toEqual(before);
    fs.rmSync(lock);
  });

  test('--wait-lock waits for the holder to finish, then writes', async () => {
    const { dist, argocd, b } = await setup();
    const lock = lockPath(dist);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'now' }));
    // The holder "finishes" after 400 ms (a bounded child process removes the lock).
    const remover = require('child_process').spawn('sh', ['-c', `sleep 0.4; rm -f '${lock}'`]);
    const t0 = Date.now();
    const r = await cli('synth', '-c', b, '-o', dist, '--wait-lock', '20s');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    const want = synthesize(gitopsStack('lab-b', 'edge-b'));
    expect(holds(dist, want.files)).toBe(true);
    expect(holds(argocd, want.bootstrap)).toBe(true);
    remover.kill();
  });

  test('--wait-lock gives up after its duration with exit 6', async () => {
    const { dir, dist, b } = await setup();
    fs.writeFileSync(lockPath(dist), JSON.stringify({ pid: process.ppid, host: os.hostname(), since: 'now' }));
    const before = lsnap(dir);
    const r = await cli('synth', '-c', b, '-o', dist, '--wait-lock', '300ms');
    expect(r.code).toBe(6);
    expect(lsnap(dir)).toEqual(before);
    fs.rmSync(lockPath(dist));
  });

  test('a lock left by a killed process (dead pid) is taken over; the lock is gone after the write', async () => {
    const { dir, dist, argocd, b } = await setup();
    fs.writeFileSync(lockPath(dist), JSON.stringify({ pid: deadPid(), host: os.hostname(), since: 'then' }));
    const r = await cli('synth', '-c', b, '-o', dist);
    expect(r).toMatchObject({ code: 0 });
    expect(holds(argocd, synthesize(gitopsStack('lab-b', 'edge-b')).bootstrap)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  test('a lock held by a zombie (killed, its parent not yet told) is taken over', () => {
    const dist = path.join(tmpDir(), 'dist');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const stat = () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const start = stat()[19];
    process.kill(pid, 'SIGKILL');
    // This thread does not return to its loop until the end, so the child stays a zombie: its pid is in use, its start the same.
    const deadline = Date.now() + 5000;
    while (stat()[0] !== 'Z' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    expect(stat()[0]).toBe('Z');
    fs.writeFileSync(lockPath(dist), JSON.stringify({ pid, host: os.hostname(), start, since: 'then' }));
    const release = acquireLock(dist);
    expect(JSON.parse(fs.readFileSync(lockPath(dist), 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(fs.existsSync(lockPath(dist))).toBe(false);
  });

  test('a bad --wait-lock is bad input', async () => {
    const { dist, b } = await setup();
    const r = await cli('synth', '-c', b, '-o', dist, '--wait-lock', 'soon');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--wait-lock: "soon" is not a duration');
  });
});

describe('item 7: dist/ and argocd/ are one transaction', () => {
  const SCHEMAS = () => ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

  test('killed between the two swaps: the next command (validate) finishes both; killed before the commit: both stay old', async () => {
    const { dir, dist, argocd, a, b } = await setup();
    const A = synthesize(gitopsStack('lab-a'));
    const B = synthesize(gitopsStack('lab-b', 'edge-b'));
    const bin = path.join(__dirname, '../../bin/edgewatt.js');
    const kill = (point: string) => {
      try {
        execFileSync(process.execPath, [bin, 'synth', '-c', b, '-o', dist], { env: { ...process.env, EDGEWATT_TEST_KILL_AT: point }, stdio: 'ignore', timeout: 60000 });
      } catch (e) {
        expect((e as { signal?: string }).signal).toBe('SIGKILL');
      }
    };
    kill('between-swaps');
    // On disk right after the kill: one folder new, the other old, and the journal that says to finish.
    expect([holds(argocd, A.bootstrap), holds(dist, B.files)]).toEqual([true, true]);
    expect(leftovers(dir)).toEqual(expect.arrayContaining(['.edgewatt-journal-argocd', '.edgewatt-journal-dist']));
    const v = await cli('validate', argocd, ...SCHEMAS());
    expect(v.code).toBe(0);
    expect(holds(dist, B.files)).toBe(true);
    expect(holds(argocd, B.bootstrap)).toBe(true);
    expect(leftovers(dir)).toEqual([]);

    expect((await cli('synth', '-c', a, '-o', dist)).code).toBe(0);
    const before = lsnap(dir);
    kill('before-commit');
    // Staged trees and the lock are left; both folders are untouched.
    expect(Object.keys(lsnap(dir)).some((k) => k.startsWith('.edgewatt-new-'))).toBe(true);
    const c = await cli('synth', '--check', '-c', a, '-o', dist);
    expect(c.code).toBe(0);
    expect(lsnap(dir)).toEqual(before);
  }, 120000);
});

describe('a patch (few files change) is crash-safe too', () => {
  test('killed in the middle of a patch: the next command finishes it; killed before its commit: nothing changed', async () => {
    const { dir, dist, a } = await setup();
    // Two files of dist differ (Prometheus's config and its StatefulSet), argocd/ not at all.
    const stackC = { ...gitopsStack('lab-a'), monitoring: { retention: '30d', scrapeInterval: '15s' } } as StackInput;
    const c = stackFile(dir, 'c', stackC);
    const C = synthesize(stackC);
    const bin = path.join(__dirname, '../../bin/edgewatt.js');
    const kill = (point: string) => {
      try {
        execFileSync(process.execPath, [bin, 'synth', '-c', c, '-o', dist], { env: { ...process.env, EDGEWATT_TEST_KILL_AT: point }, stdio: 'ignore', timeout: 60000 });
        throw new Error(`not killed at ${point}`);
      } catch (e) {
        expect((e as { signal?: string }).signal).toBe('SIGKILL');
      }
    };
    const before = lsnap(dir);
    kill('before-commit');
    expect(Object.keys(lsnap(dir)).some((k) => k.startsWith('.edgewatt-new-'))).toBe(true);
    expect((await cli('synth', '--check', '-c', a, '-o', dist)).code).toBe(0); // recovers: drops the staged patch
    expect(lsnap(dir)).toEqual(before);

    kill('mid-patch');
    expect(holds(dist, C.files)).toBe(false); // one file moved, the others not yet
    expect(leftovers(dir)).toEqual(expect.arrayContaining(['.edgewatt-journal-dist']));
    expect((await cli('validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds'))).code).toBe(0); // the next command finishes the patch
    expect(holds(dist, C.files)).toBe(true);
    // The killed writer also held argocd/'s lock (a dead pid's: the next writer takes it over and releases it).
    expect((await cli('synth', '-c', c, '-o', dist)).code).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  }, 120000);
});

describe('item 8: the reader refuses anything but regular files', () => {
  test.each([
    ['a link to /dev/zero', (f: string) => fs.symlinkSync('/dev/zero', f), 'is a symbolic link'],
    ['a link out of the tree', (f: string) => fs.symlinkSync('/etc/hostname', f), 'is a symbolic link'],
    ['a FIFO', (f: string) => execFileSync('mkfifo', [f]), 'is a FIFO'],
  ])('%s in dist: synth, synth --check and validate exit 2 at once, name it, and leave the tree as it was', async (_what, make, said) => {
    const { dir, dist, a } = await setup();
    const bad = path.join(dist, 'edge', 'zero.yaml');
    make(bad);
    const before = lsnap(dir);
    const t0 = Date.now();
    for (const argv of [
      ['synth', '-c', a, '-o', dist],
      ['synth', '--check', '-c', a, '-o', dist],
      ['validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json')],
    ]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`error: unsafe file in the tree (1 problem)\n  ${bad}: ${said}: edgewatt trees hold only folders and regular files`);
    }
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(lsnap(dir)).toEqual(before);
  });

  test('a file over the per-file size cap is refused by name', async () => {
    const { readRegularFile } = require('../../lib/synth/tree') as typeof import('../../lib/synth/tree');
    const f = path.join(tmpDir(), 'big.yaml');
    fs.writeFileSync(f, Buffer.alloc(2048, 'a'));
    expect(readRegularFile(f, 1024)).toBe('is 2048 bytes, over the limit of 1024 per file');
    expect(Buffer.isBuffer(readRegularFile(f, 4096))).toBe(true);
  });
});

describe('item 9: an output folder that is a symbolic link is followed', () => {
  test('the tree is written into the link target; the link stays; a dangling link is refused', async () => {
    const dir = tmpDir();
    const a = stackFile(dir, 'a', gitopsStack('lab-a'));
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'dist'));
    expect((await cli('synth', '-c', a, '-o', path.join(dir, 'dist'))).code).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'dist')).isSymbolicLink()).toBe(true);
    expect(holds(path.join(dir, 'real'), synthesize(gitopsStack('lab-a')).files)).toBe(true);
    expect((await cli('synth', '--check', '-c', a, '-o', path.join(dir, 'dist'))).code).toBe(0);

    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'out'));
    const before = lsnap(dir);
    const r = await cli('synth', '-c', a, '-o', path.join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'out')}: is a symbolic link to ${path.join(dir, 'nowhere')}, which does not exist: create the target folder or remove the link`);
    expect(lsnap(dir)).toEqual(before);
  });
});

describe('item 10: environment failures are exit 2 with what failed, and leave no staging', () => {
  test('-o under /proc', async () => {
    const dir = tmpDir();
    const a = stackFile(dir, 'a', gitopsStack('lab-a'));
    const r = await cli('synth', '-c', a, '-o', '/proc/self/x/dist');
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: mkdir /proc/self/x failed: ENOENT');
    expect(r.err).not.toContain('bug in edgewatt');
  });

  test('a garbage --k8s-openapi and a garbage CRD', async () => {
    const { dir, dist, a } = await setup();
    const g = path.join(dir, 'garbage.json');
    fs.writeFileSync(g, '\u0000\u0001 not json');
    const before = lsnap(dir);
    const r = await cli('synth', '-c', a, '-o', dist, '--k8s-openapi', g);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${g}: is not JSON`);
    const crd = path.join(dir, 'crd.yaml');
    // The second document makes the lazy CRD reader parse the file when it meets an Application.
    fs.writeFileSync(crd, 'kind: CustomResourceDefinition\nspec: 3\n---\nkind: Application\n');
    const c = await cli('validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', crd);
    expect(c.code).toBe(2);
    expect(c.err).toContain(`${crd}: holds a CustomResourceDefinition without spec.versions`);
    const crd2 = path.join(dir, 'crd2.yaml'); // schemas are cached per file name within a process
    fs.writeFileSync(crd2, 'kind: Application\nspec: [\n');
    const y = await cli('validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', crd2);
    expect(y.code).toBe(2);
    expect(y.err).toContain(`${crd2}: is not valid YAML`);
    fs.rmSync(crd);
    fs.rmSync(crd2);
    expect(lsnap(dir)).toEqual(before);
  });

  test('--k8s-openapi /dev/zero and a FIFO given as --crds are refused at once, not read forever', async () => {
    const { dir, dist, a } = await setup();
    const fifo = path.join(dir, 'crds.yaml');
    execFileSync('mkfifo', [fifo]);
    const before = lsnap(dir);
    const t0 = Date.now();
    const z = await cli('synth', '-c', a, '-o', dist, '--k8s-openapi', '/dev/zero');
    expect([z.code, z.err.includes('/dev/zero: is a device')]).toEqual([2, true]);
    const f = await cli('validate', dist, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', fifo);
    expect([f.code, f.err.includes(`${fifo}: is a FIFO: pass CRD files (regular files) with --crds (library: schemas.crds)`)]).toEqual([2, true]);
    expect(Date.now() - t0).toBeLessThan(60000);
    expect(lsnap(dir)).toEqual(before);
  });

  test.each([
    ['ENOSPC', 'no space left on the device'],
    ['EROFS', 'the file system is read-only'],
    ['EPERM', 'operation not permitted'],
  ])('%s while writing the staging tree', async (code, said) => {
    const { dir, dist, b } = await setup();
    const before = lsnap(dir);
    let calls = 0;
    const nodeFs = require('fs') as typeof fs; // the module object itself, which the writer's calls go through
    const real = nodeFs.writeFileSync;
    const realOpen = nodeFs.openSync;
    const fault = (file: unknown) => {
      if (String(file).includes('.edgewatt-new-') && ++calls === 3) {
        throw Object.assign(new Error(`${code}: simulated, write '${String(file)}'`), { code, syscall: 'write', path: String(file) });
      }
    };
    // A staged file is written by writeFileSync, or (with the file index, which stamps it) opened for writing.
    const spy = jest.spyOn(nodeFs, 'writeFileSync').mockImplementation((file, data, opts) => {
      fault(file);
      return real(file, data, opts as fs.WriteFileOptions);
    });
    const openSpy = jest.spyOn(nodeFs, 'openSync').mockImplementation((file, flags, mode) => {
      if (flags === 'w') fault(file);
      return realOpen(file, flags, mode);
    });
    try {
      const r = await cli('synth', '-c', b, '-o', dist);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`error: write .*\\.edgewatt-new-dist\\.\\d+\\.[0-9a-f]{8}/.* failed: ${code}: ${said}`));
    } finally {
      spy.mockRestore();
      openSpy.mockRestore();
    }
    expect(lsnap(dir)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('item 13: every command that reads the tree recovers first', () => {
  test.each([
    ['validate', (d: string) => ['validate', d, '--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json')]],
    ['status', (d: string) => ['status', '--dist', d, '--bootstrap', path.join(path.dirname(d), 'argocd'), '--kubeconfig', '/nonexistent/kubeconfig']],
    ['apply --dry-run', (d: string) => ['apply', '--dry-run', path.join(d, 'edge'), '--kubeconfig', '/nonexistent/kubeconfig']],
    ['diff', (d: string) => ['diff', path.join(d, 'edge'), '--kubeconfig', '/nonexistent/kubeconfig']],
  ])('%s: a tree parked by a killed write (.edgewatt-old-dist, no dist) is moved back before reading', async (_name, argv) => {
    const { dir, dist } = await setup();
    const whole = lsnap(dist);
    fs.renameSync(dist, path.join(dir, '.edgewatt-old-dist'));
    fs.mkdirSync(path.join(dir, '.edgewatt-new-dist'));
    await cli(...argv(dist));
    expect(lsnap(dist)).toEqual(whole);
    expect(leftovers(dir)).toEqual([]);
  });
});
