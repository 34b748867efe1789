import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { acquireLock } from './lock';

/**
 * One folder of a write transaction: `abs` is replaced by `staging`; the tree it held is parked at `old`
 * until every folder of the transaction is swapped.
 */
export interface TxnEntry {
  readonly abs: string;
  readonly staging: string;
  readonly old: string;
  /**
   * A patch instead of a swap: `staging` holds only the files to `write` (moved into `abs` one by one), and
   * `remove` lists the files to delete from `abs`; the rest of `abs` is not touched. Used when few files change.
   */
  readonly patch?: { readonly write: ReadonlyArray<string>; readonly remove: ReadonlyArray<string> };
}

/** Fault injection for the crash tests: `EDGEWATT_TEST_KILL_AT=<point>` makes the writer SIGKILL itself there. */
export function faultPoint(point: string): void {
  if (process.env.EDGEWATT_TEST_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
}

/** The journal of a transaction, one file beside each of its folders. */
interface Journal {
  readonly txn: string;
  /** True only in the first folder's journal, written last: the commit point of the whole transaction. */
  readonly committed: boolean;
  readonly entries: TxnEntry[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `.edgewatt-journal-<name>` beside the folder. */
export function journalPath(abs: string): string {
  return path.join(path.dirname(abs), `.edgewatt-journal-${path.basename(abs)}`);
}

/** Staging and parking folders of one process for `abs`: unique per process and per write. */
export function txnEntry(abs: string, txn: string): TxnEntry {
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  return { abs, staging: path.join(dir, `.edgewatt-new-${base}.${txn}`), old: path.join(dir, `.edgewatt-old-${base}.${txn}`) };
}

/** A transaction id: `<pid>.<8 hex>`. */
export function newTxnId(): string {
  return `${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
}

function leftovers(abs: string): { staging: string[]; old: string[]; journals: string[] } {
  const dir = path.dirname(abs);
  const base = escape(path.basename(abs));
  // `.edgewatt-new-<name>` (older versions) or `.edgewatt-new-<name>.<pid>.<hex>`; never another folder's.
  const re = (kind: string) => new RegExp(`^\\.edgewatt-${kind}-${base}(\\.\\d+\\.[0-9a-f]{8})?$`);
  // A journal's temporary file (writeJournal) left by a process killed before its rename: never the commit point.
  const journalTmp = new RegExp(`^\\.edgewatt-journal-${base}\\.\\d+\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { staging: [], old: [], journals: [] };
  }
  const at = (keep: (n: string) => boolean) => names.filter(keep).map((n) => path.join(dir, n));
  return { staging: at((n) => re('new').test(n)), old: at((n) => re('old').test(n)), journals: at((n) => journalTmp.test(n)) };
}

/** True when a crash left something for recovery beside `abs` (a journal, a parked or a staging tree). */
export function needsRecovery(abs: string): boolean {
  if (fs.existsSync(journalPath(abs))) return true;
  const l = leftovers(abs);
  return l.staging.length + l.old.length + l.journals.length > 0;
}

function readJournal(file: string): Journal | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
    return Array.isArray(j.entries) && typeof j.txn === 'string' ? j : undefined;
  } catch {
    return undefined; // a journal cut short by a crash was never the commit point (see writeJournal)
  }
}

/** Writes a journal atomically (temporary file, fsync, rename), so it is either whole or absent. */
export function writeJournal(abs: string, journal: Journal): void {
  const file = journalPath(abs);
  const tmp = `${file}.${journal.txn}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, JSON.stringify(journal));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Applies a patch (see TxnEntry.patch): each staged file is renamed over its path in `abs` (one already moved is
 * skipped, so it is safe to repeat), each removed file is deleted with the folders it leaves empty.
 */
function patchForward(e: TxnEntry & { patch: NonNullable<TxnEntry['patch']> }): void {
  let moved = 0;
  for (const rel of e.patch.write) {
    const from = path.join(e.staging, rel);
    if (!fs.existsSync(from)) continue;
    const to = path.join(e.abs, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    if (++moved === 1) faultPoint('mid-patch');
  }
  for (const rel of e.patch.remove) {
    fs.rmSync(path.join(e.abs, rel), { force: true });
    for (let dir = path.dirname(path.join(e.abs, rel)); dir.startsWith(e.abs + path.sep); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break; // not empty (or gone): the folders above are not empty either
      }
    }
  }
  fs.rmSync(e.staging, { recursive: true, force: true });
}

/** Swaps one folder: the current tree is parked, the staged one takes its place (or applies a patch); safe to repeat. */
export function rollForward(e: TxnEntry): void {
  if (e.patch) return patchForward(e as TxnEntry & { patch: NonNullable<TxnEntry['patch']> });
  if (fs.existsSync(e.staging)) {
    if (fs.existsSync(e.abs)) {
      fs.rmSync(e.old, { recursive: true, force: true });
      fs.renameSync(e.abs, e.old);
    }
    fs.renameSync(e.staging, e.abs);
  }
  fs.rmSync(e.old, { recursive: true, force: true });
}

/** Undoes one folder of an uncommitted transaction: the staged tree goes, the parked one (if any) comes back. */
function rollBack(e: TxnEntry): void {
  fs.rmSync(e.staging, { recursive: true, force: true });
  if (fs.existsSync(e.old) && !fs.existsSync(e.abs)) fs.renameSync(e.old, e.abs);
  fs.rmSync(e.old, { recursive: true, force: true });
}

/** Removes a transaction's journals: the other folders' first, the commit point last. */
export function removeJournals(entries: ReadonlyArray<TxnEntry>): void {
  for (const e of [...entries.slice(1), entries[0]]) fs.rmSync(journalPath(e.abs), { force: true });
}

/**
 * Brings `abs` (whose lock the caller holds) back to a whole tree after a crash. With a journal: if the
 * transaction reached its commit point, every folder in it is swapped to the new tree; otherwise every
 * staged tree is dropped; either way all its folders end up old together or new together (their locks are
 * taken too, waiting up to `waitMs`). Without a journal, staging trees are dropped, and a tree parked by an
 * older version is moved back when the folder is missing.
 */
export function recoverLocked(abs: string, waitMs: number): void {
  const j = readJournal(journalPath(abs));
  if (fs.existsSync(journalPath(abs)) && j === undefined) fs.rmSync(journalPath(abs), { force: true });
  if (j) {
    const others = j.entries.map((e) => e.abs).filter((a) => a !== abs).sort();
    const releases = others.map((a) => acquireLock(a, waitMs));
    try {
      const first = readJournal(journalPath(j.entries[0].abs));
      const committed = first !== undefined && first.txn === j.txn && first.committed;
      for (const e of j.entries) (committed ? rollForward : rollBack)(e);
      for (const a of others) cleanLeftovers(a);
      removeJournals(j.entries);
    } finally {
      for (const r of releases.reverse()) r();
    }
  }
  cleanLeftovers(abs);
}

function cleanLeftovers(abs: string): void {
  const l = leftovers(abs);
  for (const j of l.journals) fs.rmSync(j, { force: true });
  for (const s of l.staging) fs.rmSync(s, { recursive: true, force: true });
  for (const o of l.old) {
    if (!fs.existsSync(abs)) fs.renameSync(o, abs);
    else fs.rmSync(o, { recursive: true, force: true });
  }
}
