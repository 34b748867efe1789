import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { DaemonAddress, daemonAddress, daemonDir, daemonDirPath } from './address';
import { DaemonMessage, DaemonRequest, DaemonState, probe, receive, send } from './protocol';

/** How long a client waits for a daemon it started to listen before it synthesizes in its own process. */
const START_TIMEOUT_MS = 10_000;

/** A connection to the daemon at `socket`, or undefined when none listens there. */
function connect(socket: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', () => resolve(undefined));
  });
}

/**
 * Starts a daemon at `address`, detached (its output appended to its log, which the daemon that listens empties
 * first), and connects to it; the socket undefined if none listened in time (a daemon started and still not
 * listening is killed).
 */
async function start(address: DaemonAddress): Promise<{ socket: net.Socket | undefined; child: ChildProcess }> {
  const log = fs.openSync(address.log, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'server.js'), address.socket], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: process.cwd(),
  });
  fs.closeSync(log);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  child.unref();
  const end = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const socket = await connect(address.socket);
    if (socket !== undefined) return { socket, child };
    // One that exited may have found another client's daemon listening: one more try.
    if (exited) return { socket: await connect(address.socket), child };
    if (Date.now() > end) {
      child.kill('SIGKILL');
      return { socket: undefined, child };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when `child` has exited (and so is reaped), or after `ms`. */
function exitOf(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `dev:ino` of the working folder (protocol.ts SynthContext). */
function cwdId(): string {
  const st = fs.statSync('.');
  return `${st.dev}:${st.ino}`;
}

/**
 * `edgewatt synth <argv>` through the daemon of this working folder, started if none listens: the synth's output on
 * this process's streams, and its exit code. Undefined when it could not be had and the caller synthesizes in this
 * process: no daemon could start or be reached (any error on the way), or the daemon ended before its synth did and
 * had written nothing to stdout (else the synth's output would be written twice: exit 3, the daemon's log named). A
 * SIGINT, SIGTERM or SIGHUP while the synth runs is passed on to the daemon, which it kills as it kills `edgewatt
 * synth`, then to this process.
 */
export async function synthThroughDaemon(argv: ReadonlyArray<string>): Promise<number | undefined> {
  let address: DaemonAddress | undefined;
  let socket: net.Socket | undefined;
  let child: ChildProcess | undefined;
  try {
    address = daemonAddress();
    if (address === undefined) {
      const dir = daemonDirPath();
      if (dir !== undefined && daemonDir() === undefined) process.stderr.write(`note: no synth daemon: ${dir} is not a folder of yours alone (a link, another user's, open to others, or not to be made); synthesizing in this process\n`);
      else if (dir !== undefined) process.stderr.write(`note: no synth daemon: a socket in ${dir} would have too long a path (set EDGEWATT_DAEMON_DIR to a shorter folder); synthesizing in this process\n`);
      return undefined;
    }
    socket = await connect(address.socket);
    if (socket === undefined) {
      ({ socket, child } = await start(address));
      if (socket === undefined) {
        process.stderr.write(`note: the synth daemon did not start (its log: ${address.log}); synthesizing in this process\n`);
        return undefined;
      }
    }
  } catch {
    socket?.destroy();
    return undefined; // a folder removed under us, a file system full: the synth in this process says what it finds
  }
  const open = socket;
  const log = address.log;
  const code = await new Promise<number | undefined>((resolve) => {
    let exitCode: number | undefined;
    let daemonPid: number | undefined;
    let wroteOut = false;
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (daemonPid !== undefined && exitCode === undefined) {
        try {
          process.kill(daemonPid, signal);
        } catch {
          // gone already
        }
      }
      for (const s of signals) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    };
    for (const s of signals) process.on(s, onSignal);
    receive<DaemonMessage>(open, (m) => {
      if ('hello' in m) {
        daemonPid = m.hello;
        if (child !== undefined) {
          process.stderr.write(`note: started the synth daemon of this folder: it keeps the last synth in memory for the next one and exits after ${m.idleSeconds} s without a synth (\`edgewatt daemon stop\` stops it; --no-daemon or EDGEWATT_DAEMON=off synthesizes in this process)\n`);
        }
        // The signal handlers are set: the synth may start, and a Ctrl-C from now on is passed on to this pid.
        send(open, { go: true });
      } else if ('out' in m) {
        wroteOut = true;
        process.stdout.write(m.out);
      } else if ('err' in m) process.stderr.write(m.err);
      else if ('exit' in m) exitCode = m.exit;
    });
    open.on('error', () => open.destroy());
    open.once('close', () => {
      for (const s of signals) process.off(s, onSignal);
      if (exitCode === undefined && wroteOut) {
        process.stderr.write(`error: the synth daemon ended before its synth did (its log: ${log}); run the synth again\n`);
        exitCode = 3;
      } else if (exitCode === undefined && daemonPid !== undefined) {
        process.stderr.write(`note: the synth daemon ended before its synth did (its log: ${log}); synthesizing in this process\n`);
      }
      resolve(exitCode);
    });
    send(open, { synth: argv, context: { cwd: cwdId(), umask: process.umask(), stderrTTY: process.stderr.isTTY === true } } satisfies DaemonRequest);
  });
  // A daemon this process started and that died is its child: reaped before the synth here takes the locks it held.
  if (code === undefined && child !== undefined) await exitOf(child, 2000);
  return code;
}

/** Asks the daemon at `socket` for its state (and to stop, with `stop`); undefined when none listens there. */
async function ask(socket: string, request: 'status' | 'stop'): Promise<DaemonState | undefined> {
  const open = await connect(socket);
  if (open === undefined) return undefined;
  return new Promise((resolve) => {
    let found: DaemonState | undefined;
    receive<DaemonMessage>(open, (m) => {
      if ('state' in m) found = m.state;
    });
    open.on('error', () => open.destroy());
    open.once('close', () => resolve(found));
    send(open, request === 'stop' ? { stop: true } : { status: true });
  });
}

/**
 * Asks the daemon of this folder (this build and environment) for its state, and to stop with `stop`; undefined when
 * none listens. A daemon busy with a synth answers once it has ended.
 */
export async function askDaemon(request: 'status' | 'stop', cwd?: string): Promise<DaemonState | undefined> {
  const address = daemonAddress(cwd);
  return address === undefined ? undefined : ask(address.socket, request);
}

/**
 * Asks every daemon of this user (every socket in daemonDir: of any folder, build or environment) for its state, and
 * to stop with `stop`: the states of those that answered. `stop` also removes what dead daemons left: a socket file
 * nothing listens on, a log without its socket.
 */
export async function askAllDaemons(request: 'status' | 'stop'): Promise<DaemonState[]> {
  const dir = daemonDir();
  if (dir === undefined) return [];
  const sockets = fs.readdirSync(dir).filter((f) => f.endsWith('.sock')).sort();
  const states = await Promise.all(sockets.map((f) => ask(path.join(dir, f), request)));
  if (request === 'stop') {
    for (const [i, f] of sockets.entries()) if (states[i] === undefined && (await probe(path.join(dir, f))) === 'ECONNREFUSED') fs.rmSync(path.join(dir, f), { force: true });
    for (const f of fs.readdirSync(dir).filter((g) => g.endsWith('.log'))) {
      if (!fs.existsSync(path.join(dir, `${f.slice(0, -'.log'.length)}.sock`))) fs.rmSync(path.join(dir, f), { force: true });
    }
  }
  return states.filter((s): s is DaemonState => s !== undefined);
}
