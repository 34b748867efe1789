import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCli } from '../../lib/internal';
import { gitopsPathNote } from '../../lib/cli/commands/gitops-path';
import { demoStack } from '../support/stacks';
import { captureIO, tmpDir } from '../support/tmp';

/** The Applications read gitops.path: an output folder at another path of its Git work tree gets a note. */
describe('gitops.path against where synth writes (lib/cli/commands/gitops-path.ts)', () => {
  test('a note names both paths and the fix when the work tree holds the output elsewhere; none when they agree or outside a work tree', () => {
    const repo = tmpDir();
    fs.mkdirSync(path.join(repo, '.git'));
    expect(gitopsPathNote(path.join(repo, 'dist'), 'dist')).toBeUndefined();
    expect(gitopsPathNote(path.join(repo, 'deploy', 'dist'), 'deploy/dist')).toBeUndefined();
    expect(gitopsPathNote(path.join(repo, 'out'), 'dist')).toMatch(/^note: the Argo CD Applications read gitops.path "dist" of the repository, but .*out is "out" in the work tree .*: committed there, Argo CD finds nothing to sync; set gitops.path: out in the stack, or write with -o .*dist\n$/);
    expect(gitopsPathNote(repo, 'dist')).toMatch(/is "\." in the work tree/);
    expect(gitopsPathNote(path.join(repo, 'out'), undefined)).toBeUndefined();
    const plain = tmpDir();
    expect(gitopsPathNote(path.join(plain, 'out'), 'dist')).toBeUndefined();
  });

  test('edgewatt synth prints it on stderr and still writes (a preview folder is allowed)', async () => {
    const repo = tmpDir();
    fs.mkdirSync(path.join(repo, '.git'));
    fs.writeFileSync(path.join(repo, 'stack.yaml'), stringify(demoStack()));
    const c = captureIO();
    const code = await runCli(['synth', '-c', path.join(repo, 'stack.yaml'), '-o', path.join(repo, 'preview')], c.io);
    expect(code).toBe(0);
    expect(c.err()).toContain('note: the Argo CD Applications read gitops.path "dist" of the repository');
    expect(fs.existsSync(path.join(repo, 'preview', 'hub'))).toBe(true);
    // The chart format's Applications read <gitops.path>/<cluster>/chart: the same note.
    const helm = captureIO();
    expect(await runCli(['synth', '--format', 'helm', '-c', path.join(repo, 'stack.yaml'), '-o', path.join(repo, 'charts')], helm.io)).toBe(0);
    expect(helm.err()).toContain('note: the Argo CD Applications read gitops.path "dist" of the repository');
    const agree = captureIO();
    expect(await runCli(['synth', '-c', path.join(repo, 'stack.yaml'), '-o', path.join(repo, 'dist')], agree.io)).toBe(0);
    expect(agree.err()).not.toContain('gitops.path');
  });

  test('a preview beside the committed tree may not replace its Argo CD bootstrap: refused (exit 2) unless --argocd-out names another folder', async () => {
    const repo = tmpDir();
    fs.mkdirSync(path.join(repo, '.git'));
    const stack = path.join(repo, 'stack.yaml');
    fs.writeFileSync(stack, stringify(demoStack()));
    expect(await runCli(['synth', '-c', stack, '-o', path.join(repo, 'dist')], captureIO().io)).toBe(0);
    const snapshot = () => fs.readdirSync(path.join(repo, 'argocd')).map((f) => [f, fs.statSync(path.join(repo, 'argocd', f)).mtimeMs]);
    const before = snapshot();
    const preview = captureIO();
    expect(await runCli(['synth', '-c', stack, '-o', path.join(repo, 'preview')], preview.io)).toBe(2);
    expect(preview.err()).toMatch(/--argocd-out: is not given, and the Argo CD bootstrap's default folder .*argocd beside .*preview is the bootstrap of .*dist \(gitops.path "dist"\), which this synth would replace with its own; pass --argocd-out <another folder> for this output, or write to -o .*dist/);
    expect(fs.existsSync(path.join(repo, 'preview'))).toBe(false);
    expect(snapshot()).toEqual(before);
    // With its own bootstrap folder, the preview is written and the committed tree's bootstrap is left alone.
    expect(await runCli(['synth', '-c', stack, '-o', path.join(repo, 'preview'), '--argocd-out', path.join(repo, 'preview-argocd')], captureIO().io)).toBe(0);
    expect(fs.existsSync(path.join(repo, 'preview-argocd', 'appproject-smart-factory.yaml'))).toBe(true);
    expect(snapshot()).toEqual(before);
  });
});
