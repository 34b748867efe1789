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
  const root = workTreeRoot(abs);
  if (root === undefined || root === abs) return root === abs ? note(out, '.', gitopsPath, root) : undefined;
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const wanted = gitopsPath.replace(/^\.\//, '').replace(/\/+$/, '');
  return rel === wanted ? undefined : note(out, rel, gitopsPath, root);
}

/** The Git work tree `abs` is in (the nearest folder up holding `.git`), or undefined. */
function workTreeRoot(abs: string): string | undefined {
  for (let d = abs; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Why the Argo CD bootstrap may not be written beside `out` by default: `out` is not the tree `gitops.path` names in
 * its work tree, that tree exists, and the two share the default bootstrap folder (`argocd` beside each), which belongs
 * to the committed tree: a preview (`-o preview`) would replace it with its own stack's. Undefined when --argocd-out
 * names the folder, when the folders are not beside each other, or outside a work tree.
 */
export function bootstrapClash(out: string, argocdOut: string | undefined, gitopsPath: string | undefined, defaultBootstrap: (outdir: string) => string): string | undefined {
  if (argocdOut !== undefined || gitopsPath === undefined) return undefined;
  const abs = path.resolve(out);
  const root = workTreeRoot(abs);
  if (root === undefined) return undefined;
  const committed = path.resolve(root, gitopsPath);
  if (committed === abs || !fs.existsSync(committed) || defaultBootstrap(committed) !== defaultBootstrap(abs)) return undefined;
  const shown = (p: string) => path.relative(process.cwd(), p) || '.';
  return `is not given, and the Argo CD bootstrap's default folder ${shown(defaultBootstrap(abs))} beside ${out} is the bootstrap of ${shown(committed)} (gitops.path "${gitopsPath}"), which this synth would replace with its own; pass --argocd-out <another folder> for this output, or write to -o ${shown(committed)}`;
}

function note(out: string, rel: string, gitopsPath: string, root: string): string {
  return `note: the Argo CD Applications read gitops.path "${gitopsPath}" of the repository, but ${out} is "${rel}" in the work tree ${root}: committed there, Argo CD finds nothing to sync; set gitops.path: ${rel} in the stack, or write with -o ${path.join(path.relative(process.cwd(), root) || '.', gitopsPath)}\n`;
}
