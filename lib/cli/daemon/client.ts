import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { DaemonAddress, daemonAddress } from './address';
import { DaemonMessage, DaemonRequest, DaemonState, receive, send } from './protocol';

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

/** Starts a daemon at `address`, detached (its output to its log), and connects to it; undefined if it did not listen in time. */
async function start(address: DaemonAddress): Promise<net.Socket | undefined> {
  const log = fs.openSync(address.log, 'w', 0o600);
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
    const s = await connect(address.socket);
    // One that exited may have found another client's daemon listening already: one more try.
    if (s !== undefined || exited || Date.now() > end) return s ?? (exited ? connect(address.socket) : undefined);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `edgewatt synth <argv>` through the daemon of this working folder, started if none listens: the synth's output on
 * this process's streams, and its exit code; undefined when it could not be had (no daemon could start, or the daemon
 * ended before the synth did), and the caller synthesizes in this process. A SIGINT, SIGTERM or SIGHUP while it runs
 * is passed to the daemon, which it kills as it kills `edgewatt synth`, then to this process.
 */
export async function synthThroughDaemon(argv: ReadonlyArray<string>): Promise<number | undefined> {
  const address = daemonAddress();
  if (address === undefined) return undefined;
  let socket = await connect(address.socket);
  if (socket === undefined) {
    socket = await start(address);
    if (socket === undefined) {
      process.stderr.write(`note: the synth daemon did not start (its log: ${address.log}); synthesizing in this process\n`);
      return undefined;
    }
    process.stderr.write(
      `note: started the synth daemon of this folder: it keeps the last synth in memory for the next one and exits after ${process.env.EDGEWATT_DAEMON_IDLE_SECONDS ?? '600'} s without a synth (\`edgewatt daemon stop\` stops it; --no-daemon or EDGEWATT_DAEMON=off synthesizes in this process)\n`,
    );
  }
  const open = socket;
  return new Promise((resolve) => {
    let code: number | undefined;
    let daemonPid: number | undefined;
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (daemonPid !== undefined) {
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
      if ('hello' in m) daemonPid = m.hello;
      else if ('out' in m) process.stdout.write(m.out);
      else if ('err' in m) process.stderr.write(m.err);
      else if ('exit' in m) code = m.exit;
    });
    open.on('error', () => open.destroy());
    open.once('close', () => {
      for (const s of signals) process.off(s, onSignal);
      if (code === undefined) process.stderr.write(`note: the synth daemon ended before its synth did (its log: ${address.log}); synthesizing in this process\n`);
      resolve(code);
    });
    send(open, { synth: argv } satisfies DaemonRequest);
  });
}

/** Asks the daemon of this folder for its state (and to stop, with `stop`); undefined when none listens. */
export async function askDaemon(request: 'status' | 'stop', cwd?: string): Promise<DaemonState | undefined> {
  const address = daemonAddress(cwd);
  if (address === undefined) return undefined;
  const socket = await connect(address.socket);
  if (socket === undefined) return undefined;
  return new Promise((resolve) => {
    let found: DaemonState | undefined;
    receive<DaemonMessage>(socket, (m) => {
      if ('state' in m) found = m.state;
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => resolve(found));
    send(socket, request === 'stop' ? { stop: true } : { status: true });
  });
}
