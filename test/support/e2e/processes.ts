import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';

/**
 * Processes and servers of the loopback fixture: every one bound to 127.0.0.1, bounded in time (a child is
 * killed by Node after `maxMs` whatever happens to the test), and stopped by `stopAll`.
 */

/** The absolute path of an installed binary; throws (the test fails, never skips) when it is missing. */
export function binary(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not installed: .ci/run installs it (Debian packages prometheus and prometheus-alertmanager)`);
  return r.stdout.trim();
}

/** The kernel's ephemeral port range (what `listen(0)` picks from); Linux's default when it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    /* not Linux, or no /proc */
  }
  return [32768, 60999];
}

/** The next port freePort tries: below the ephemeral range, from an offset of this process. */
let nextPort = 0;

/**
 * A free TCP port on 127.0.0.1 for a process the caller starts next (bound here once, to check, and released).
 * It is taken from below the kernel's ephemeral range and never handed out twice by this process: a port from
 * `listen(0)`, released, could be given again to one of the fixture's own servers (which do listen on 0) before
 * the process binds it — an e2e run once failed with "bind: address already in use" that way.
 */
export async function freePort(): Promise<number> {
  const [lo] = ephemeralRange();
  const base = Math.max(1024, lo - 12000);
  if (nextPort === 0) nextPort = base + ((process.pid * 7) % 10000);
  for (let tries = 0; tries < 2000; tries++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= lo ? base : nextPort + 1;
    const s = http.createServer();
    const ok = await new Promise<boolean>((res) => {
      s.once('error', () => res(false));
      s.listen(port, '127.0.0.1', () => res(true));
    });
    if (!ok) continue;
    await new Promise<void>((res) => s.close(() => res()));
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${base} and ${lo - 1}`);
}

/** A running child process and its log. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  exited(): boolean;
}

const running: Proc[] = [];
const servers: http.Server[] = [];

/**
 * Starts a binary with its output in `log`, under coreutils `timeout` (so it ends after `maxMs` even if the
 * test runner itself is killed), and Node kills it after `maxMs` too. SIGTERM to it reaches the binary.
 */
export function start(name: string, bin: string, args: string[], log: string, maxMs: number): Proc {
  const fd = fs.openSync(log, 'a');
  const seconds = String(Math.ceil(maxMs / 1000));
  // Its own process group (timeout and the binary): stopping signals the whole group.
  const child = spawn(binary('timeout'), ['--kill-after=5', seconds, bin, ...args], { stdio: ['ignore', fd, fd], detached: true, timeout: maxMs + 10_000, killSignal: 'SIGKILL' });
  fs.closeSync(fd);
  let done = false;
  child.on('exit', () => (done = true));
  const p: Proc = { name, child, log, exited: () => done };
  running.push(p);
  return p;
}

/** GETs a loopback URL; resolves with the status and body. */
export function get(url: string, timeoutMs = 5000, headers?: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** Waits until `url` answers 200 (sending `headers`), or throws with the process's log tail after `timeoutMs`. */
export async function waitReady(p: Proc, url: string, timeoutMs: number, headers?: http.OutgoingHttpHeaders): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (p.exited()) throw new Error(`${p.name} exited at start:\n${tail(p.log)}`);
    try {
      if ((await get(url, 1000, headers)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${p.name} not ready at ${url} after ${timeoutMs} ms:\n${tail(p.log)}`);
}

/** The last lines of a log file. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; then throws with `what`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** An HTTP server (HTTPS with `tls`) on 127.0.0.1 (a free port), stopped by stopAll. */
export async function serve(handler: http.RequestListener, tls?: { cert: string; key: string }): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  const server: http.Server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((res) => {
      server.closeAllConnections();
      server.close(() => res());
    });
  return { server, port, close };
}

function signalGroup(p: Proc, signal: NodeJS.Signals): void {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops every process this module started, in reverse order of start (an agent before the server it writes
 * to): SIGTERM to its process group, SIGKILL to the group after 3 s; then every server.
 */
export async function stopAll(): Promise<void> {
  for (const p of running.splice(0).reverse()) {
    await new Promise<void>((res) => {
      if (p.exited()) {
        signalGroup(p, 'SIGKILL');
        return res();
      }
      const timer = setTimeout(() => signalGroup(p, 'SIGKILL'), 3000);
      p.child.once('exit', () => {
        clearTimeout(timer);
        signalGroup(p, 'SIGKILL');
        res();
      });
      signalGroup(p, 'SIGTERM');
    });
  }
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((res) => {
          s.closeAllConnections();
          s.close(() => res());
        }),
    ),
  );
}
