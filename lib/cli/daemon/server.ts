/**
 * The synth daemon: `node server.js <socket>`, started by the first `edgewatt synth` of a working folder that wants
 * one (client.ts) and detached from it. It serves one synth at a time, each as `edgewatt synth` with the client's
 * arguments (lib/cli/main.ts, the client's output sent back), so that a synth after the first reuses what the one
 * before built in this process, as `synth --watch` does: the stack file read by its edits, the charts, flow verdicts,
 * placements and gates' facts, the render worker. It exits after EDGEWATT_DAEMON_IDLE_SECONDS without a synth
 * (DAEMON_IDLE_SECONDS), on `edgewatt daemon stop`, after a synth that hit a bug in edgewatt (exit 3: nothing of it is
 * reused), or once its socket file is gone or another's. SIGINT and SIGTERM kill it as they kill `edgewatt synth`: the
 * client passes its Ctrl-C on, and the output folders stay whole (lib/synth/journal.ts).
 */
import * as fs from 'fs';
import * as net from 'net';
import { acquireLock } from '../../synth/lock';
import type { CliIO } from '../io';
import { DAEMON_IDLE_SECONDS } from './address';
import { DaemonRequest, DaemonState, probe, receive, send, SynthContext } from './protocol';

const socketPath = process.argv[2];
const idleSeconds = Number(process.env.EDGEWATT_DAEMON_IDLE_SECONDS);
// setTimeout takes at most 2^31-1 ms (~24.8 days); more would fire at once.
const idleMs = Math.min(2 ** 31 - 1, 1000 * (Number.isFinite(idleSeconds) && idleSeconds > 0 ? idleSeconds : DAEMON_IDLE_SECONDS));
const startedAt = performance.now();
const here = fs.statSync('.');
let synths = 0;
/** The socket file's inode and birth time once it is at the address (a later file may get the same inode number). */
let identity: string | undefined;
let idle: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();
/** Set once the daemon is to exit: what is queued is not served (its clients synthesize in their own processes). */
let closing = false;
/** Where a Node warning raised during a synth goes (the client's stderr), as in a synth in its own process. */
let warnTo: CliIO | undefined;

const log = (line: string): void => void process.stdout.write(`edgewatt synth daemon: ${line}\n`);

function peakRssMiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Math.round(Number(kb[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function state(): DaemonState {
  return { pid: process.pid, synths, peakRssMiB: peakRssMiB(), upSeconds: Math.round((performance.now() - startedAt) / 1000) };
}

/** The socket file is still this daemon's (not removed, nor replaced by another daemon's, made while this one's existed). */
function identityOf(file: string): string {
  const st = fs.lstatSync(file, { bigint: true });
  return `${st.ino}:${st.birthtimeNs}`;
}

function ownsSocket(): boolean {
  try {
    return identityOf(socketPath) === identity;
  } catch {
    return false;
  }
}

function exit(why: string): void {
  closing = true;
  log(`pid ${process.pid} exits: ${why}`);
  if (ownsSocket()) fs.rmSync(socketPath, { force: true });
  process.exit(0);
}

/** Exits once `socket`'s answer is out (its close); what is queued meanwhile is refused. */
function exitAfter(socket: net.Socket, why: string): void {
  closing = true;
  server.close();
  socket.once('close', () => exit(why));
}

function armIdle(): void {
  clearTimeout(idle);
  idle = setTimeout(() => exit('idle'), idleMs);
}

process.on('warning', (w) => warnTo?.err(`(node:${process.pid}) ${w.name}: ${w.message}\n`));

/** Resolves true once `socket`'s client has said `go`, false if it went away first. */
function goFrom(socket: net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(false);
    waiting.set(socket, () => resolve(true));
    socket.once('close', () => resolve(false));
  });
}

/** Resolves once `socket` has closed (its client read the whole answer), or after 10 s. */
function closed(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * One synth as `edgewatt synth` with `argv`, its output sent as it is written. It starts only once the client, told
 * this daemon's pid, says `go`: a client stopped before (Ctrl-C while an earlier synth ran, or while this daemon
 * started) gets no synth, and one that says go passes its Ctrl-C on to the pid it knows. The next request waits
 * until the client has read the whole answer (its connection closed), so a Ctrl-C it passes on never meets the next
 * client's synth.
 */
async function synth(socket: net.Socket, argv: ReadonlyArray<string>, context: SynthContext): Promise<void> {
  if (context?.cwd !== `${here.dev}:${here.ino}`) {
    socket.destroy();
    return exitAfter(socket, 'the client works in another folder at the same path (this one was removed)');
  }
  send(socket, { hello: process.pid, idleSeconds: idleMs / 1000 });
  if (!(await goFrom(socket))) return;
  // Loaded at the first synth; the same modules for every later one, so what they keep is kept.
  const { main } = require('../main') as typeof import('../main');
  const command = require('../commands/synth') as typeof import('../commands/synth');
  command.keepStackReaders();
  const io: CliIO = { out: (text) => send(socket, { out: text }), err: (text) => send(socket, { err: text }) };
  process.umask(context.umask);
  warnTo = io;
  command.setProgressTerminal(context.stderrTTY === true);
  const t = performance.now();
  let code: number;
  try {
    code = await main(['synth', ...argv.slice(1)], io);
  } finally {
    warnTo = undefined;
    command.setProgressTerminal(undefined);
  }
  synths++;
  log(`synth ${synths} (${argv.slice(1).join(' ')}): exit ${code} in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  send(socket, { exit: code });
  socket.end();
  if (code === 3) exitAfter(socket, 'a synth hit a bug in edgewatt (exit 3)');
  await closed(socket);
}

async function serve(socket: net.Socket, request: DaemonRequest): Promise<void> {
  // Stopping, or a client that went away while an earlier synth ran (Ctrl-C): nothing to do for it.
  if (closing || socket.destroyed || socket.readableEnded) {
    socket.destroy();
    return;
  }
  if ('synth' in request && Array.isArray(request.synth) && request.synth[0] === 'synth') {
    clearTimeout(idle);
    try {
      await synth(socket, request.synth, request.context);
    } finally {
      if (!closing) armIdle();
    }
    return;
  }
  // status and stop: the idle time runs on (a prompt that asks for the status does not keep the daemon alive).
  send(socket, { state: state() });
  socket.end();
  if ('stop' in request) exitAfter(socket, 'asked to stop');
}

/** The `go` each connection waits for (goFrom). */
const waiting = new WeakMap<net.Socket, () => void>();

const server = net.createServer((socket) => {
  socket.on('error', () => socket.destroy()); // a client gone: nothing to tell it
  let asked = false;
  receive<DaemonRequest>(socket, (request) => {
    if (asked) {
      if ('go' in request) waiting.get(socket)?.();
      return;
    }
    asked = true;
    queue = queue
      .then(() => serve(socket, request))
      .catch((e: unknown) => {
        log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        socket.destroy();
        exit('internal error');
      });
  });
});

/** Whether a daemon answers at `file`; only a refused connection or no file means none does. */
async function answers(file: string): Promise<boolean> {
  const found = await probe(file);
  return found !== 'ECONNREFUSED' && found !== 'ENOENT';
}

/**
 * Listens on a socket of its own beside the address; then, holding the start lock (the output folders' lock,
 * lib/synth/lock.ts, on `<socket>.starting`: a dead or zombie holder's is taken over; waited for up to 5 s), unless a
 * daemon answers at the address, renames it over the address (whatever file was there, a dead daemon's, goes at once). Two daemons started
 * together take turns: the second finds the first answering and exits. Nothing ever removes another daemon's socket;
 * one whose file was replaced anyway (by hand) exits (ownsSocket).
 */
function listen(): void {
  const mine = `${socketPath}.${process.pid}`;
  const fail = (e: unknown): void => {
    log(`pid ${process.pid} could not listen on ${mine}: ${e instanceof Error ? e.message : String(e)}`);
    fs.rmSync(mine, { force: true });
    process.exit(1);
  };
  fs.rmSync(mine, { force: true });
  server.once('error', fail);
  server.listen(mine, () => {
    void (async () => {
      fs.chmodSync(mine, 0o600);
      const unlock = acquireLock(`${socketPath}.starting`, 5000);
      try {
        if (await answers(socketPath)) {
          fs.rmSync(mine, { force: true });
          unlock();
          process.exit(0);
        }
        fs.renameSync(mine, socketPath);
        identity = identityOf(socketPath);
      } finally {
        unlock();
      }
      try {
        fs.ftruncateSync(1, 0); // the log (opened for appending by every client that started a daemon) is this one's
      } catch {
        // stdout is no file (started by hand)
      }
      log(`pid ${process.pid}, serving ${process.cwd()} on ${socketPath}; exits after ${idleMs / 1000} s without a synth`);
      armIdle();
      setInterval(() => {
        if (!ownsSocket()) exit('its socket file is gone or another daemon\'s');
      }, 10_000).unref();
    })().catch(fail);
  });
}

listen();
