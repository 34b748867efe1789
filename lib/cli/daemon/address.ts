import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Where the synth daemon of a working folder listens, and whether `edgewatt synth` goes through it (README, CLI,
 * "The synth daemon"). Loaded by bin/edgewatt.js before anything else of edgewatt, so it requires nothing heavier than
 * Node's own modules.
 */

/** A stack file this large (about 5,000 devices) makes `edgewatt synth` use the daemon when EDGEWATT_DAEMON is unset. */
export const DAEMON_MIN_STACK_BYTES = 1024 * 1024;

/** How long a daemon waits for the next synth before it exits (EDGEWATT_DAEMON_IDLE_SECONDS). */
export const DAEMON_IDLE_SECONDS = 600;

/** One daemon's socket, and the folder (the user's own, mode 0700) that holds it and its log. */
export interface DaemonAddress {
  readonly dir: string;
  readonly socket: string;
  readonly log: string;
}

/**
 * The environment a synth reads (schemas and the schema cache, which is under HOME or XDG_CACHE_HOME, cdk8s's sort,
 * CI's progress, Node's flags): a daemon serves only clients whose values are its own. EDGEWATT_DAEMON* (how the daemon
 * is used) is left out.
 */
function readEnv(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((k) => (/^(EDGEWATT_|CDK8S_)/.test(k) && !k.startsWith('EDGEWATT_DAEMON')) || ['CI', 'NODE_OPTIONS', 'HOME', 'XDG_CACHE_HOME'].includes(k))
    .sort()
    .map((k) => `${k}=${env[k]}`)
    .join('\0');
}

/**
 * The code the daemon would run: every file of edgewatt's `lib` and `charts` (built, or the sources under ts-jest) by
 * path, size, inode, modification and change times (~3 ms for ~500 files; the change time no tool sets back, as npm
 * sets every file's modification time to one value), edgewatt's version and the versions of the packages
 * it depends on. A rebuild or an `npm install` gives another address, so a client never talks to a daemon of other code.
 */
function codeStamp(): string {
  const lib = path.resolve(__dirname, '..', '..');
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // no charts folder
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const st = fs.statSync(full, { bigint: true });
        h.update(`${path.relative(lib, full)}\0${st.size}\0${st.ino}\0${st.mtimeNs}\0${st.ctimeNs}\0`);
      }
    }
  };
  walk(lib);
  walk(path.join(path.dirname(lib), 'charts'));
  for (let dir = lib; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    if (pkg.name !== 'edgewatt') continue;
    h.update(`edgewatt@${pkg.version}\0`);
    for (const name of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].sort()) {
      try {
        h.update(`${name}@${(JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [dir] }), 'utf8')) as { version?: string }).version}\0`);
      } catch {
        h.update(`${name}@?\0`); // not resolvable so (exports that hide package.json): its name alone
      }
    }
    break;
  }
  return h.digest('hex');
}

/** Where daemonDir looks (undefined where there are no user ids: Windows). */
export function daemonDirPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  return env.EDGEWATT_DAEMON_DIR || (env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'edgewatt') : path.join(os.tmpdir(), `edgewatt-${uid}`));
}

/**
 * The folder of the user's daemons: EDGEWATT_DAEMON_DIR, else $XDG_RUNTIME_DIR/edgewatt, else <tmp>/edgewatt-<uid>.
 * Made with mode 0700; refused (undefined: no daemon) when it is a link, another user's, or open to others, since
 * whoever can reach a socket there can make the daemon write where this user can.
 */
export function daemonDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = daemonDirPath(env);
  if (dir === undefined) return undefined;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The address of the daemon that serves `cwd` with this build and environment, or undefined where there can be none
 * (Windows, no folder of one's own, a folder whose socket path would be too long).
 */
export function daemonAddress(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): DaemonAddress | undefined {
  if (process.platform === 'win32') return undefined;
  const dir = daemonDir(env);
  if (dir === undefined) return undefined;
  const key = createHash('sha256')
    .update(`cwd ${fs.realpathSync(cwd)}\0code ${codeStamp()}\0node ${process.version} ${process.execArgv.join(' ')}\0env ${readEnv(env)}`)
    .digest('hex')
    .slice(0, 20);
  const socket = path.join(dir, `${key}.sock`);
  // A Unix socket's path holds at most 107 bytes (103 on macOS); the daemon listens first at <socket>.<pid>.
  if (Buffer.byteLength(`${socket}.4194304`) > 103) return undefined;
  return { dir, socket, log: path.join(dir, `${key}.log`) };
}

/** The value of `-c`/`--config` in a synth's argv (commander's spellings), else its default. */
function configOf(argv: ReadonlyArray<string>): string {
  let config = 'stack.yaml';
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '-c' || a === '--config') && i + 1 < argv.length) config = argv[++i];
    else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else if (/^-c./.test(a)) config = a.slice(2);
  }
  return config;
}

/**
 * Whether this run goes through the daemon: `synth` (not `--watch`, already one process, nor `--no-daemon`,
 * `--no-cache`, help or `--version`; not under a debugger; of a regular file, not one of this process's descriptors); EDGEWATT_DAEMON `off`/`0` never, `on`/`1` always, unset (or anything else) when CI is not set and the
 * stack file has DAEMON_MIN_STACK_BYTES or more: below that a synth in its own process takes a second or two.
 */
export function wantsDaemon(argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env, execArgv: ReadonlyArray<string> = process.execArgv): boolean {
  if (argv[0] !== 'synth') return false;
  // --no-cache: everything built again, which a daemon's kept state would not be.
  if (argv.some((a) => ['--watch', '--no-daemon', '--no-cache', '-h', '--help', '-V', '--version'].includes(a))) return false;
  // A debugger or inspector would be the daemon's (paused at its start, or holding the port), not this command's.
  if ([...execArgv, env.NODE_OPTIONS ?? ''].some((a) => /--(inspect|debug)/.test(a))) return false;
  // A file only this process can open: its own descriptors (/dev/stdin, /dev/fd/N, <(…), /proc/self/…); and below,
  // anything but a regular file (a pipe, a terminal).
  const config = path.resolve(configOf(argv));
  if (/^\/(proc\/|dev\/(fd\/|std(in|out|err)$))/.test(config)) return false;
  const mode = (env.EDGEWATT_DAEMON ?? '').toLowerCase();
  if (mode === 'off' || mode === '0') return false;
  const on = mode === 'on' || mode === '1';
  if (!on && env.CI) return false;
  try {
    const st = fs.statSync(config);
    return st.isFile() && (on || st.size >= DAEMON_MIN_STACK_BYTES);
  } catch {
    return false; // no such file: the synth in this process says so
  }
}
