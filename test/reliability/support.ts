import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCli, StackInput } from '../../lib/internal';
import { ROOT } from '../support/shared';
import { captureIO } from '../support/tmp';

/** The built command. */
export const BIN = path.join(ROOT, 'bin/edgewatt.js');

/** A small stack with GitOps, so a synth writes both dist/ and argocd/. */
export function gitopsStack(name: string, cluster = 'edge'): StackInput {
  return {
    name,
    clusters: [{ name: cluster }],
    energy: {},
    monitoring: {},
    gitops: { repoURL: 'https://git.example.com/org/fleet.git' },
  } as StackInput;
}

/** Writes a stack as YAML and returns the file. */
export function stackFile(dir: string, name: string, stack: unknown): string {
  const f = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(f, stringify(stack));
  return f;
}

/** Runs the CLI in this process. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO();
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** Runs the built CLI as a child process, bounded in time. */
export function child(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60000): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, err });
    });
  });
}

/**
 * Everything below `dir` without following or opening anything but regular files: each entry as its type
 * and, for files, content and mtime; links as their target. Safe on FIFOs and devices.
 */
export function lsnap(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else if (st.isSymbolicLink()) out[r] = `link -> ${fs.readlinkSync(full)}`;
      else if (st.isFile()) out[r] = `${st.mtimeMs} ${fs.readFileSync(full, 'utf8')}`;
      else out[r] = 'special';
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/** The files a folder holds as text (regular files only). */
export function textTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(lsnap(dir))) if (v !== 'dir') out.set(k, v.slice(v.indexOf(' ') + 1));
  return out;
}

/** True when the folder holds exactly these files. */
export function holds(dir: string, files: ReadonlyMap<string, string>): boolean {
  const t = textTree(dir);
  return t.size === files.size && [...files].every(([k, v]) => t.get(k) === v);
}

/** The edgewatt bookkeeping entries (locks, journals, staging and parked trees) in a folder. */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.edgewatt-')).sort();
}

/** The pid of a process that has exited. */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}
