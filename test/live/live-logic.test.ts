import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { parseDuration } from '../../lib/cli/commands/live';
import { expectedFromTree } from '../../lib/live/expected';
import { applicationState, deviceState, isReady, lastHeartbeat } from '../../lib/live/status';
import { LiveClient, LiveObject } from '../../lib/live/types';
import { waitForApplications } from '../../lib/live/wait';
import { ROOT } from '../support/shared';
import { tmpDir } from '../support/tmp';

describe('reading Argo CD and Flotta status', () => {
  test('an Application is ready when Synced and Healthy, at the revision when one is asked (7+ character prefixes match)', () => {
    const a = applicationState('x', 'hub', { status: { sync: { status: 'Synced', revision: 'abcdef0123456789' }, health: { status: 'Healthy' } } });
    expect([isReady(a), isReady(a, 'abcdef0'), isReady(a, 'abcdef0123456789'), isReady(a, 'abcdef'), isReady(a, '1234567')]).toEqual([true, true, true, false, false]);
    const multi = applicationState('x', 'hub', { status: { sync: { status: 'Synced', revisions: ['1111111aaaa', 'abcdef0123'] }, health: { status: 'Healthy' } } });
    expect(isReady(multi, 'abcdef0')).toBe(true);
    const progressing = applicationState('x', 'hub', { status: { sync: { status: 'Synced', revision: 'abcdef0123' }, health: { status: 'Progressing' }, operationState: { phase: 'Running', message: 'waiting for completion of hook batch/Job/migrate' } } });
    expect(isReady(progressing)).toBe(false);
    expect(progressing.message).toBe('Running: waiting for completion of hook batch/Job/migrate');
    const broken = applicationState('x', 'hub', { status: { conditions: [{ type: 'ComparisonError', message: 'rpc error: repository not found' }] } });
    expect([broken.sync, broken.health, broken.message]).toEqual(['Unknown', 'Unknown', 'ComparisonError: rpc error: repository not found']);
  });

  test('the last heartbeat is the newest status write or workload time; stale after three periods', () => {
    const device: LiveObject = {
      metadata: { managedFields: [
        { manager: 'manager', operation: 'Update', subresource: 'status', time: '2026-11-23T09:00:00Z' },
        { manager: 'kubectl', operation: 'Update', time: '2026-11-23T09:30:00Z' },
      ] },
      status: { phase: 'up', workloads: [{ name: 'w', lastDataUpload: '2026-11-23T09:02:00Z', lastTransitionTime: '2026-11-22T00:00:00Z' }] },
    };
    expect(lastHeartbeat(device)).toBe('2026-11-23T09:02:00Z');
    const at = Date.parse('2026-11-23T09:04:59Z');
    expect(deviceState('d', 'fleet', 60, device, at).stale).toBe(false);
    expect(deviceState('d', 'fleet', 60, device, Date.parse('2026-11-23T09:05:01Z')).stale).toBe(true);
    expect(deviceState('d', 'fleet', 60, { status: { phase: 'up' } }, at)).toEqual({ name: 'd', namespace: 'fleet', phase: 'up', stale: true });
    expect(deviceState('d', 'fleet', 60, undefined, at).phase).toBe('Missing');
  });

  test('the tree gives the Applications, the devices and their heartbeat period from the device set', () => {
    const e = expectedFromTree(path.join(ROOT, 'dist'), path.join(ROOT, 'argocd'));
    expect(e.stack).toBe('smart-factory');
    const appFiles = [...fs.readdirSync(path.join(ROOT, 'argocd')), ...['hub', 'line-1'].flatMap((c) => fs.readdirSync(path.join(ROOT, 'dist', c, 'argocd')))].filter((f) => f.startsWith('application-'));
    expect(e.applications.map((a) => `application-${a.name}.yaml`).sort()).toEqual(appFiles.sort());
    expect(e.devices).toEqual(['cam-01', 'gw-01', 'pi-01'].map((name) => ({ name, namespace: 'fleet', heartbeatSeconds: 60 })));
  });

  test('in ApplicationSet mode the Applications are the ones its generator makes: one per dist/<cluster>/<folder>', () => {
    const dir = tmpDir();
    const put = (rel: string, o: object): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), stringify(o));
    };
    put('dist/hub/argocd/applicationset-s.yaml', { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 's', namespace: 'gitops' }, spec: {} });
    put('dist/hub/energy/cm.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'e', labels: { 'app.kubernetes.io/part-of': 's' } } });
    put('dist/edge/iomt/cm.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'i' } });
    const e = expectedFromTree(path.join(dir, 'dist'), path.join(dir, 'argocd'));
    expect(e.applications).toEqual([{ name: 's-edge-iomt', namespace: 'gitops', cluster: 'edge' }, { name: 's-hub-energy', namespace: 'gitops', cluster: 'hub' }]);
  });

  test('a folder that is not a synthesized tree is bad input naming the flag', () => {
    expect(() => expectedFromTree(path.join(ROOT, 'no-such'), 'argocd')).toThrow('--dist: ');
  });

  test('durations: 90s, 10m, 1h, 250ms, plain seconds; anything else names the flag', () => {
    expect(['90s', '10m', '1h', '250ms', '5', '1.5m'].map((d) => parseDuration(d, '--timeout'))).toEqual([90_000, 600_000, 3_600_000, 250, 5000, 90_000]);
    expect(() => parseDuration('ten minutes', '--timeout')).toThrow('--timeout: "ten minutes" is not a duration: write e.g. 90s, 10m or 1h');
  });
});

describe('waiting', () => {
  const expected = { stack: 's', applications: [{ name: 'a', namespace: 'argocd', cluster: 'hub' }, { name: 'b', namespace: 'argocd', cluster: 'hub' }], devices: [] };
  const app = (name: string, sync: string, health: string, revision: string): LiveObject => ({ metadata: { name }, status: { sync: { status: sync, revision }, health: { status: health } } });

  /** A client whose list answers come from a script, one per poll; a thrown entry is a failed poll. */
  function scripted(polls: Array<LiveObject[] | Error>): LiveClient & { calls: number } {
    const c = {
      describe: 'scripted',
      calls: 0,
      async list(): Promise<LiveObject[]> {
        const r = polls[Math.min(c.calls++, polls.length - 1)];
        if (r instanceof Error) throw r;
        return r;
      },
      read: async () => undefined,
      apply: async (o: LiveObject) => o,
    };
    return c;
  }

  test('a network failure after the first poll is retried, and the wait ends when all are ready at the revision', async () => {
    let t = 0;
    const client = scripted([[app('a', 'OutOfSync', 'Healthy', 'old0000'), app('b', 'Synced', 'Healthy', 'abc1234')], new Error('socket hang up'), [app('a', 'Synced', 'Healthy', 'abc1234'), app('b', 'Synced', 'Healthy', 'abc1234')]]);
    const lines: string[] = [];
    const r = await waitForApplications(client, expected, { revision: 'abc1234', timeoutMs: 60_000, intervalMs: 5000, now: () => t, sleep: async (ms) => void (t += ms), progress: (l) => lines.push(l) });
    expect(r).toMatchObject({ ready: true, polls: 3 });
    expect(t).toBe(10_000);
    expect(lines).toEqual(['waiting for 1 of 2: a (OutOfSync/Healthy @ old0000)', 'poll 2 failed, retrying: socket hang up']);
  });

  test('a failing first poll is thrown at once (wrong context, no access)', async () => {
    await expect(waitForApplications(scripted([new Error('Forbidden')]), expected, { timeoutMs: 60_000, intervalMs: 1000, now: () => 0, sleep: async () => undefined })).rejects.toThrow('Forbidden');
  });

  test('the timeout is honoured exactly: the last sleep is cut to what is left', async () => {
    let t = 0;
    const sleeps: number[] = [];
    const r = await waitForApplications(scripted([[app('a', 'Synced', 'Degraded', 'abc1234'), app('b', 'Synced', 'Healthy', 'abc1234')]]), expected, { timeoutMs: 12_000, intervalMs: 5000, now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } });
    expect(r.ready).toBe(false);
    expect(sleeps).toEqual([5000, 5000, 2000]);
    expect(r.applications.filter((a) => !isReady(a)).map((a) => a.name)).toEqual(['a']);
  });
});

describe('lazy loading', () => {
  const hook = path.join(ROOT, 'test', 'support', 'forbid-client-node.mjs');
  const bin = path.join(ROOT, 'bin', 'edgewatt.js');

  test('synth never imports @kubernetes/client-node; the live commands do (so the check can fail)', () => {
    const out = tmpDir();
    execFileSync(process.execPath, ['--import', hook, bin, 'synth', '-c', 'apps/demo/stack.yaml', '-o', path.join(out, 'dist')], { cwd: ROOT, stdio: 'pipe' });
    expect(fs.existsSync(path.join(out, 'dist', 'hub', 'energy'))).toBe(true);
    // Importing the library (which exports lib/live) does not load it either.
    expect(execFileSync(process.execPath, ['--import', hook, '-e', "require('./build/lib/index.js'); process.stdout.write('loaded')"], { cwd: ROOT, encoding: 'utf8' })).toBe('loaded');
    const live = spawnSync(process.execPath, ['--import', hook, bin, 'status', '--kubeconfig', path.join(ROOT, 'package.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(live.stderr).toContain('@kubernetes/client-node was imported');
  });
});

const e2e = process.env.EDGEWATT_E2E_KUBECONFIG;
/** Opt-in: runs against a real cluster when EDGEWATT_E2E_KUBECONFIG names its kubeconfig (no cluster can run here). */
(e2e ? describe : describe.skip)('against a real cluster (EDGEWATT_E2E_KUBECONFIG)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'edgewatt.js'), ...args, '--kubeconfig', e2e!], { cwd: ROOT, encoding: 'utf8' });

  test('the hub platform folder passes a server-side dry run (Namespaces need nothing before them)', () => {
    const r = run('apply', '--dry-run', 'dist/hub/platform');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/server-side dry run against context .*: \d+ accepted, 0 rejected, 0 skipped/);
    expect(r.status).toBe(0);
  });

  test('diff and status answer with a verdict, not a cluster error', () => {
    const d = run('diff', 'dist/hub/platform');
    expect(d.stdout).toMatch(/diff against context .*: \d+ changed, \d+ added, \d+ pruned, \d+ unchanged, 0 failed/);
    expect([0, 1]).toContain(d.status);
    const s = run('status');
    expect([0, 1]).toContain(s.status);
    expect(s.stdout).toMatch(/^APPLICATION\s+CLUSTER\s+SYNC\s+HEALTH/);
  });
});
