/**
 * The synth daemon: `node server.js <socket>`, started by the first `edgewatt synth` of a working folder that wants
 * one (client.ts) and detached from it. It serves one synth at a time, each as `edgewatt synth` with the client's
 * arguments (lib/cli/main.ts, the client's output sent back), so that a synth after the first reuses what the one
 * before built in this process, as `synth --watch` does: the stack file read by its edits, the charts, flow verdicts,
 * placements and gates' facts, the render worker. It exits after EDGEWATT_DAEMON_IDLE_SECONDS without a request
 * (DAEMON_IDLE_SECONDS), on `edgewatt daemon stop`, after a synth that hit a bug in edgewatt (exit 3: nothing of it is
 * reused), or once its socket file is gone or replaced. SIGINT and SIGTERM kill it as they kill `edgewatt synth`: the
 * client passes its Ctrl-C on, and the output folders stay whole (lib/synth/journal.ts).
 */
import * as fs from 'fs';
import * as net from 'net';
import type { CliIO } from '../io';
import { DAEMON_IDLE_SECONDS } from './address';
import { DaemonRequest, DaemonState, receive, send } from './protocol';

const socketPath = process.argv[2];
const idleSeconds = Number(process.env.EDGEWATT_DAEMON_IDLE_SECONDS);
const idleMs = 1000 * (Number.isFinite(idleSeconds) && idleSeconds > 0 ? idleSeconds : DAEMON_IDLE_SECONDS);
const startedAt = performance.now();
let synths = 0;
let inode: bigint | undefined;
let idle: NodeJS.Timeout | undefined;
let queue: Promise<void> = Promise.resolve();

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

/** The socket file is still this daemon's (not removed, nor replaced by another daemon's). */
function ownsSocket(): boolean {
  try {
    return fs.lstatSync(socketPath, { bigint: true }).ino === inode;
  } catch {
    return false;
  }
}

function exit(why: string): void {
  process.stdout.write(`edgewatt synth daemon: pid ${process.pid} exits: ${why}\n`);
  if (ownsSocket()) fs.rmSync(socketPath, { force: true });
  process.exit(0);
}

function armIdle(): void {
  clearTimeout(idle);
  idle = setTimeout(() => exit('idle'), idleMs);
}

/** One synth as `edgewatt synth` with `argv`, its output sent as it is written. */
async function synth(socket: net.Socket, argv: ReadonlyArray<string>): Promise<void> {
  // Loaded at the first synth; the same modules for every later one, so what they keep is kept.
  const { main } = require('../main') as typeof import('../main');
  (require('../commands/synth') as typeof import('../commands/synth')).keepStackReaders();
  const io: CliIO = { out: (text) => send(socket, { out: text }), err: (text) => send(socket, { err: text }) };
  send(socket, { hello: process.pid });
  const t = performance.now();
  const code = await main(['synth', ...argv.slice(1)], io);
  synths++;
  process.stdout.write(`edgewatt synth daemon: synth ${synths} (${argv.slice(1).join(' ')}): exit ${code} in ${((performance.now() - t) / 1000).toFixed(2)} s\n`);
  send(socket, { exit: code });
  socket.end();
  if (code === 3) socket.once('close', () => exit('a synth hit a bug in edgewatt (exit 3)'));
}

function serve(socket: net.Socket, request: DaemonRequest): Promise<void> {
  clearTimeout(idle);
  // A client that went away while an earlier synth ran (Ctrl-C) asked for nothing any more.
  if (socket.destroyed || socket.readableEnded) {
    armIdle();
    return Promise.resolve();
  }
  if ('synth' in request && Array.isArray(request.synth) && request.synth[0] === 'synth') return synth(socket, request.synth).finally(armIdle);
  send(socket, { state: state() });
  socket.end();
  if ('stop' in request) socket.once('close', () => exit('asked to stop'));
  else armIdle();
  return Promise.resolve();
}

const server = net.createServer((socket) => {
  socket.on('error', () => socket.destroy()); // a client gone: nothing to tell it
  let asked = false;
  receive<DaemonRequest>(socket, (request) => {
    if (asked) return;
    asked = true;
    queue = queue.then(() => serve(socket, request));
  });
});

function listen(retry: boolean): void {
  server.once('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EADDRINUSE' || !retry) throw e;
    // A live daemon there (another client started it first): it serves; a dead one's file: replaced.
    const probe = net.connect(socketPath);
    probe.once('connect', () => process.exit(0));
    probe.once('error', () => {
      fs.rmSync(socketPath, { force: true });
      listen(false);
    });
  });
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    inode = fs.lstatSync(socketPath, { bigint: true }).ino;
    // Its log (client.ts gives it the log file beside the socket as stdout and stderr).
    process.stdout.write(`edgewatt synth daemon: pid ${process.pid}, serving ${process.cwd()} on ${socketPath}; exits after ${idleMs / 1000} s without a request\n`);
    armIdle();
    setInterval(() => {
      if (!ownsSocket()) {
        process.stdout.write(`edgewatt synth daemon: pid ${process.pid} exits: its socket file is gone or another's\n`);
        process.exit(0);
      }
    }, 10_000).unref();
  });
}

listen(true);
