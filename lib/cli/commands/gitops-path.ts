import * as fs from 'fs';
import * as path from 'path';

/**
 * A note when the output folder is in a Git work tree at another path than `gitops.path`, which every Argo CD
 * Application of the stack reads (`<gitops.path>/<cluster>/<component>`, the root ones `<gitops.path>/<cluster>/argocd`):
 * committed so, Argo CD would find no manifests there. Undefined when they agree, when the stack has no `gitops`,
 * or when the output folder is not in a work tree (CI writing elsewhere, a preview in /tmp): nothing to compare.
 * A note, not an error: writing elsewhere on purpose (a preview folder in the repository) is allowed.
 */
export function gitopsPathNote(out: string, gitopsPath: string | undefined): string | undefined {
  if (gitopsPath === undefined) return undefined;
  const abs = path.resolve(out);
  let root: string | undefined;
  for (let d = abs; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) {
      root = d;
      break;
    }
    if (path.dirname(d) === d) break;
  }
  if (root === undefined || root === abs) return root === abs ? note(out, '.', gitopsPath, root) : undefined;
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const wanted = gitopsPath.replace(/^\.\//, '').replace(/\/+$/, '');
  return rel === wanted ? undefined : note(out, rel, gitopsPath, root);
}

function note(out: string, rel: string, gitopsPath: string, root: string): string {
  return `note: the Argo CD Applications read gitops.path "${gitopsPath}" of the repository, but ${out} is "${rel}" in the work tree ${root}: committed there, Argo CD finds nothing to sync; set gitops.path: ${rel} in the stack, or write with -o ${path.join(path.relative(process.cwd(), root) || '.', gitopsPath)}\n`;
}
