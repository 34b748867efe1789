import * as net from 'net';

/**
 * The synth daemon's protocol over its Unix socket: one JSON line each way per message. The client sends one
 * request; the daemon answers `hello` (its pid, so that the client can pass a Ctrl-C on), the client `go`, then the
 * daemon sends the synth's output as
 * `out`/`err` text and its `exit` code, or, to `status` and `stop`, one `state`. A daemon that cannot serve a synth
 * (its folder is not the client's, it is stopping) closes the connection without a word: the client synthesizes in
 * its own process.
 */
export type DaemonRequest =
  | { readonly synth: ReadonlyArray<string>; readonly context: SynthContext }
  | { readonly status: true }
  | { readonly stop: true }
  /** After `hello`: the client passes a Ctrl-C on to the pid it was told; the synth may start. */
  | { readonly go: true };

/**
 * What of the client's process a synth depends on besides its arguments and the environment the daemon's address
 * holds: its working folder as a file (a folder removed and made again at the same path is another one, which the
 * daemon, started in the old one, cannot serve), and the umask its files are written with.
 */
export interface SynthContext {
  /** `dev:ino` of the working folder. */
  readonly cwd: string;
  readonly umask: number;
  /** Whether the client's stderr is a terminal (the synth's progress goes there only then). */
  readonly stderrTTY: boolean;
}

export interface DaemonState {
  readonly pid: number;
  /** Synths served since it started. */
  readonly synths: number;
  /** Its peak resident set (VmHWM on Linux; the process's maxRSS elsewhere), MiB. */
  readonly peakRssMiB: number;
  /** Seconds since it started. */
  readonly upSeconds: number;
}

export type DaemonMessage =
  /** The daemon's pid, and the seconds it waits for the next synth before it exits. */
  | { readonly hello: number; readonly idleSeconds: number }
  | { readonly out: string }
  | { readonly err: string }
  | { readonly exit: number }
  | { readonly state: DaemonState };

/** Sends one message. */
export function send(socket: net.Socket, message: DaemonRequest | DaemonMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/** Calls `each` with every whole line's message, in order; a line that is not JSON ends the connection. */
export function receive<T>(socket: net.Socket, each: (message: T) => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        socket.destroy();
        return;
      }
      each(message);
    }
  });
}

/** Tries a connection to `socket` and closes it: 'connected', or the error's code (ECONNREFUSED: a file nothing listens on). */
export function probe(socket: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}
