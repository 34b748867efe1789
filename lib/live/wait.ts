import { Expected } from './expected';
import { ApplicationState, isReady, readApplications } from './status';
import { LiveClient } from './types';

/** How `status --wait` waits. */
export interface WaitOptions {
  /** The Git revision every Application must be synced to; any revision when absent. */
  readonly revision?: string;
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Poll this often, in milliseconds. */
  readonly intervalMs: number;
  /** The clock and the pause, so tests can run without waiting. Default: Date.now and setTimeout. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about progress when the set of Applications still waited for changes. */
  readonly progress?: (line: string) => void;
}

/** How a wait ended. */
export interface WaitResult {
  /** True when every Application was Synced and Healthy (at the revision) before the timeout. */
  readonly ready: boolean;
  /** The last states read. */
  readonly applications: ApplicationState[];
  /** Polls made. */
  readonly polls: number;
  /** The error of the last poll, when it failed and the wait timed out after it. */
  readonly lastError?: string;
}

/** What is still waited for, for progress lines. */
function pending(apps: ApplicationState[], revision?: string): string {
  return apps
    .filter((a) => !isReady(a, revision))
    .map((a) => `${a.name} (${a.sync}/${a.health}${a.revisions.length ? ` @ ${a.revisions[0].slice(0, 7)}` : ''})`)
    .join(', ');
}

/**
 * Polls the stack's Applications until all are Synced and Healthy at the revision, or the time is up. A
 * failing first poll is thrown (wrong context, no access); later failures are retried until the timeout, so a
 * network blip does not end a long wait.
 */
export async function waitForApplications(client: LiveClient, expected: Expected, o: WaitOptions): Promise<WaitResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  let polls = 0;
  let applications: ApplicationState[] = [];
  let lastError: string | undefined;
  let said = '';
  for (;;) {
    polls++;
    try {
      applications = (await readApplications(client, expected)).applications;
      lastError = undefined;
      const waitingFor = pending(applications, o.revision);
      if (waitingFor === '') return { ready: true, applications, polls };
      if (waitingFor !== said) o.progress?.(`waiting for ${applications.filter((a) => !isReady(a, o.revision)).length} of ${applications.length}: ${waitingFor}`);
      said = waitingFor;
    } catch (e) {
      if (polls === 1) throw e;
      lastError = (e as Error).message;
      o.progress?.(`poll ${polls} failed, retrying: ${lastError}`);
    }
    const left = start + o.timeoutMs - now();
    if (left <= 0) return { ready: false, applications, polls, ...(lastError ? { lastError } : {}) };
    await sleep(Math.min(o.intervalMs, left));
  }
}
