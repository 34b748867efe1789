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
});
