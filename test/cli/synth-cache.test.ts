import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { runCli } from '../../lib/internal';
import { StackReader } from '../../lib/spec/stack-reader';
import { stackCacheStats } from '../../lib/synth/stack-cache';
import { flowReuseStats, forgetFlowVerdicts } from '../../lib/validate';
import { ROOT, sharedPath } from '../support/shared';
import { captureIO, snapshot, tmpDir } from '../support/tmp';

const DEMO = path.join(ROOT, 'apps/demo/stack.yaml');
const SCHEMAS = ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const c = captureIO();
  const code = await runCli(argv, c.io);
  return { code, out: c.out() };
}

describe('edgewatt synth: validation, render and chart caches', () => {
  test('synth keeps its caches in .edgewatt.cache/<out> beside the output; a second run gives the same tree and writes nothing', async () => {
    const root = tmpDir();
    const out = path.join(root, 'dist');
    expect((await run('synth', '-c', DEMO, '-o', out, ...SCHEMAS)).code).toBe(0);
    const cache = path.join(root, '.edgewatt.cache', 'dist');
    expect(fs.readdirSync(cache).sort()).toEqual(['.gitignore', 'charts.json', 'files.json', 'flows.json', 'render.json', 'validation.json']);
    expect((JSON.parse(fs.readFileSync(path.join(cache, 'validation.json'), 'utf8')) as { passed: string[] }).passed.length).toBeGreaterThan(100);
    const before = snapshot(out);
    const again = await run('synth', '-c', DEMO, '-o', out, ...SCHEMAS);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/: 0 written, \d+ unchanged, 0 removed/);
    expect(snapshot(out)).toEqual(before);
    // The committed dist/ is what a synth without caches gives: the cached run matches it byte for byte.
    expect(Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.content]))).toEqual(Object.fromEntries(Object.entries(snapshot(path.join(ROOT, 'dist'))).map(([k, v]) => [k, v.content])));
  });

  test('the caches stay out of Git without a line in the repository\'s own .gitignore: git sees the synthesized folders and nothing of .edgewatt.cache', async () => {
    const root = tmpDir();
    execFileSync('git', ['init', '-q', root], { timeout: 10_000 });
    expect((await run('synth', '-c', DEMO, '-o', path.join(root, 'dist'), ...SCHEMAS)).code).toBe(0);
    expect(fs.existsSync(path.join(root, '.edgewatt.cache', 'dist', 'charts.json'))).toBe(true);
    const seen = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8', timeout: 10_000 }).split('\n').filter(Boolean);
    expect(seen.filter((l) => l.includes('.edgewatt.cache'))).toEqual([]);
    expect(seen.filter((l) => l.startsWith('?? dist/')).length).toBeGreaterThan(100);
    expect(seen.some((l) => l.startsWith('?? argocd/'))).toBe(true);
  });

  test('what a killed run left half-saved in the cache folder is removed by the next synth; other files and the caches stay', async () => {
    const root = tmpDir();
    const out = path.join(root, 'dist');
    expect((await run('synth', '-c', DEMO, '-o', out, ...SCHEMAS)).code).toBe(0);
    const cache = path.join(root, '.edgewatt.cache', 'dist');
    const saved = fs.readdirSync(cache).sort();
    // Temporary files as cacheTempFile names them, of a process that was killed while saving (pid 2^22 + 1 is above
    // Linux's pid_max), and a file of the user's that only looks alike.
    const orphans = ['render.json.4194305.1764700000000.tmp', 'charts.json.4194305.1764700000001.tmp', 'validation.json.4194305.1764700000002.tmp', 'flows.json.4194305.1764700000003.tmp'];
    for (const o of orphans) fs.writeFileSync(path.join(cache, o), 'half a cache');
    fs.writeFileSync(path.join(cache, 'notes.tmp.txt'), 'mine');
    expect((await run('synth', '-c', DEMO, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(fs.readdirSync(cache).sort()).toEqual([...saved, 'notes.tmp.txt'].sort());
  });

  test('--no-cache reads and writes no cache', async () => {
    const root = tmpDir();
    expect((await run('synth', '-c', DEMO, '-o', path.join(root, 'dist'), '--no-cache', ...SCHEMAS)).code).toBe(0);
    expect(fs.readdirSync(root).sort()).toEqual(['argocd', 'dist']);
  });

  test('a large stack.yaml is kept in stack.json and the flow verdicts in flows.json; the next synth reads the edited file by its edits, takes the verdicts and writes what a synth without caches writes', async () => {
    const root = tmpDir();
    const stack = path.join(root, 'stack.yaml');
    const text = yaml.stringify(benchStack(3000));
    fs.writeFileSync(stack, text);
    const out = path.join(root, 'dist');
    const before = stackCacheStats();
    expect((await run('synth', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(fs.existsSync(path.join(root, '.edgewatt.cache', 'dist', 'stack.json'))).toBe(true);
    const edited = text.replace('name: dev-00005\n', 'name: dev-00005-renamed\n');
    expect(edited).not.toBe(text);
    fs.writeFileSync(stack, edited);
    // As a process of its own: no flow verdicts in memory, so those reused come from flows.json.
    forgetFlowVerdicts();
    expect((await run('synth', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(flowReuseStats().reused).toBeGreaterThan(0);
    expect(flowReuseStats().evaluated).toBe(0);
    // Saved after the first synth and after the second (another text); the second started from the first's and read
    // the edited file by its edits.
    expect(stackCacheStats()).toEqual({ restored: before.restored + 1, saved: before.saved + 2, spliced: before.spliced + 1 });
    const fresh = path.join(tmpDir(), 'dist');
    expect((await run('synth', '-c', stack, '-o', fresh, '--no-cache', ...SCHEMAS)).code).toBe(0);
    const contents = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).map(([k, v]) => [k, v.content]));
    const got = contents(out);
    expect(Object.keys(got).some((f) => got[f].includes('dev-00005-renamed'))).toBe(true);
    expect(got).toEqual(contents(fresh));
    // The same text again: started from the kept state, nothing written to it; --check reads and writes none.
    expect((await run('synth', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(stackCacheStats()).toEqual({ restored: before.restored + 2, saved: before.saved + 2, spliced: before.spliced + 2 });
    expect((await run('synth', '--check', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(stackCacheStats()).toEqual({ restored: before.restored + 2, saved: before.saved + 2, spliced: before.spliced + 2 });
    // A bug met reading from the kept state (exit 3) removes it, so that the next synth reads the file whole.
    const kept = path.join(root, '.edgewatt.cache', 'dist', 'stack.json');
    const bug = jest.spyOn(StackReader.prototype, 'read').mockImplementationOnce(() => {
      throw new TypeError('a bug');
    });
    try {
      expect((await run('synth', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(3);
    } finally {
      bug.mockRestore();
    }
    expect(fs.existsSync(kept)).toBe(false);
    expect((await run('synth', '-c', stack, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(fs.existsSync(kept)).toBe(true);
  });
});
