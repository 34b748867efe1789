import { randomBytes } from 'crypto';
import { SharedReads } from '../core/model-memo';
import { ChartReads } from './read-proxy';
import { DESC, GET, GROUP, HAS, isObject, KEYS, OPAQUE, ReadSink } from './read-ops';

/**
 * What each chart read of the bulk-free view (lib/synth/chart-reuse.ts), so that a chart is reused when nothing it
 * read changed, whatever else did (a changed IoMT pipeline rebuilds the charts that read it, not all of them).
 *
 * A chart built from the view is given a model of its own: a read-only Proxy over the view, one per path from the
 * view's root, that notes every read — a property's value, a descriptor, `in`, the list of keys — as a read id. A
 * read is a path (the parent's read id and the property) and what was seen there, as a token: a primitive spelled
 * out (-0, NaN and undefined apart from 0, strings and a missing key), an object's kind (array, plain object,
 * null-prototype object), a property inherited from the prototype, an accessor's value, or a thrown error. Anything else (a Map, a class instance, a function,
 * a symbol) gets a token no other read has, so a chart that saw it is never reused.
 *
 * ReadTracker keeps every read any chart made, with its token, across synths. At the start of a synth it reads
 * every path again in the new view (`refresh`): a chart none of whose reads changed token sees the same values, so
 * (a chart is a function of what it reads) it builds the same objects; its last objects are used as they are.
 *
 * A chart's model (lib/synth/read-proxy.ts) gives each path its own Proxy, so the chart sees no identity the view
 * shares between two paths (and caches keyed by parts of its model are its own: lib/core/model-memo.ts shares values
 * between charts). After the build, the chart's Proxies throw on any use: a chart that kept a part of its model in
 * its objects fails (deepFreeze of its objects throws) and is built from the model instead. Nothing can be written
 * through them.
 */

/** A read's key among its parent's reads of the same kind (ReadTracker.readsOf). */
const readKey = (op: number, prop: string): string => (op === GET ? prop : `${op}:${prop}`);

/** Tokens that match no other: a value the tracker cannot compare. */
let unique = 0;
/** Makes this process's unique tokens unlike those of any other (a tracker is read back from a charts file). */
const NONCE = randomBytes(8).toString('hex');
/** Set when a token unlike any other was made (evaluate reads it for each read). */
let madeUnique = false;
const uniqueToken = (): string => {
  madeUnique = true;
  return `!#${NONCE}:${++unique}`;
};

/** A value's token (see the module comment). */
function valueToken(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '!-0' : Number.isFinite(v) ? String(v) : `!${String(v)}`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '!undefined';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[';
      const proto = Object.getPrototypeOf(v) as unknown;
      return proto === Object.prototype ? '{' : proto === null ? '{null' : uniqueToken();
    }
    default:
      return uniqueToken();
  }
}

/** A tracker as plain data (ReadTracker.toData). */
export interface TrackerData {
  readonly parents: number[];
  readonly ops: number[];
  readonly props: string[];
  readonly tokens: string[];
  readonly groups: Array<[number, number[]]>;
}

/** Read ids as text (base64 of their 32-bit integers), for the charts file. */
export function readsToText(reads: Int32Array): string {
  return Buffer.from(reads.buffer, reads.byteOffset, reads.byteLength).toString('base64');
}

/** readsToText's text as read ids; undefined when it is not such a text. */
export function readsFromText(text: string): Int32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0 || bytes.toString('base64') !== text) return undefined;
  const out = new Int32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Every read of every chart, by id (see the module comment). Reads are never removed; ids stay valid. */
export class ReadTracker {
  private readonly parents: number[] = [-1];
  private readonly ops: number[] = [GET];
  private readonly props: string[] = [''];
  private tokens: string[] = ['{'];
  /** This synth's values: a GET's value, a DESC's descriptor, a KEYS's list, or what was thrown (`failed`). */
  private values: unknown[] = [];
  private failed: boolean[] = [false];
  /** Whether a read's token is unlike any other (uniqueToken). */
  private opaque: boolean[] = [false];
  private readonly gets: Array<Map<string, number> | undefined> = [];
  private readonly others: Array<Map<string, number> | undefined> = [];
  private stamps = new Int32Array(1024);
  private serial = 0;
  /** The chart being built, and the shared computations running (innermost last). */
  private active: ChartReads | undefined;
  private readonly captures: number[][] = [];
  /** The groups' members, by the group's read id, and the groups by their members. */
  private readonly groups = new Map<number, Int32Array>();
  private readonly groupIds = new Map<string, number>();
  private shared: ChartReads | undefined;

  /**
   * `accessorOk(get)`: whether an accessor of the view is one whose value the tracker may take as data (the view's
   * bulk getters); any other accessor's reads get unique tokens.
   */
  constructor(private readonly accessorOk: (get: unknown) => boolean) {}

  /** Every read's path and token as of the last refresh, and the groups: for the charts file (lib/synth/chart-cache.ts). */
  public toData(): TrackerData {
    return { parents: [...this.parents], ops: [...this.ops], props: [...this.props], tokens: [...this.tokens], groups: [...this.groups].map(([id, m]) => [id, [...m]]) };
  }

  /**
   * A tracker with the reads of `data` (toData's, read back): undefined when it is not as toData writes it (every
   * read's parent before it, known operations, groups of earlier reads).
   */
  public static fromData(data: unknown, accessorOk: (get: unknown) => boolean): ReadTracker | undefined {
    if (!isObject(data)) return undefined;
    const { parents, ops, props, tokens, groups } = data as Partial<Record<keyof TrackerData, unknown>>;
    if (!Array.isArray(parents) || !Array.isArray(ops) || !Array.isArray(props) || !Array.isArray(tokens) || !Array.isArray(groups)) return undefined;
    const n = parents.length;
    if (n === 0 || ops.length !== n || props.length !== n || tokens.length !== n || parents[0] !== -1 || ops[0] !== GET || props[0] !== '' || tokens[0] !== '{') return undefined;
    const t = new ReadTracker(accessorOk);
    for (let i = 1; i < n; i++) {
      const [parent, op, prop, token] = [parents[i], ops[i], props[i], tokens[i]] as unknown[];
      if (typeof op !== 'number' || ![GET, DESC, HAS, KEYS, GROUP].includes(op) || typeof prop !== 'string' || typeof token !== 'string') return undefined;
      if (op === GROUP ? parent !== -1 : !Number.isInteger(parent) || (parent as number) < 0 || (parent as number) >= i) return undefined;
      const id = t.add(parent as number, op, prop);
      t.tokens[id] = token;
      if (op !== GROUP && !t.index(id)) return undefined;
    }
    for (const g of groups) {
      if (!Array.isArray(g) || g.length !== 2 || !Array.isArray(g[1])) return undefined;
      const [id, members] = g as [unknown, unknown[]];
      if (typeof id !== 'number' || ops[id] !== GROUP || t.groups.has(id) || !members.every((m) => Number.isInteger(m) && (m as number) >= 0 && (m as number) < id)) return undefined;
      t.setGroup(id, Int32Array.from(members as number[]).sort());
    }
    // Every group read is listed with its members.
    for (let i = 1; i < n; i++) if (ops[i] === GROUP && !t.groups.has(i)) return undefined;
    t.baseline = t.size;
    return t;
  }

  /** How many reads the tracker knew when it was made, read back or compacted (chart-reuse compacts past twice that). */
  public baseline = 1;

  /** How many reads are known. */
  public get size(): number {
    return this.parents.length;
  }

  /**
   * Reads every known path again in `view` (the next synth's); gives which reads now see something else (1), by id.
   */
  public refresh(view: object): Uint8Array {
    const n = this.parents.length;
    const changed = new Uint8Array(n);
    const before = this.tokens;
    this.tokens = new Array<string>(n);
    this.values = new Array<unknown>(n);
    this.failed = new Array<boolean>(n);
    this.opaque = new Array<boolean>(n);
    this.tokens[0] = '{';
    this.opaque[0] = false;
    this.values[0] = view;
    this.failed[0] = false;
    for (let i = 1; i < n; i++) {
      const members = this.groups.get(i);
      if (members !== undefined) {
        // A group changed when a member did (members are older reads, refreshed before it).
        this.tokens[i] = before[i];
        this.opaque[i] = false;
        this.failed[i] = false;
        if (ReadTracker.anyChanged(members, changed)) changed[i] = 1;
        continue;
      }
      this.evaluate(i);
      if (this.tokens[i] !== before[i]) changed[i] = 1;
    }
    this.shared = new ChartReads(this, this.sharedSink());
    return changed;
  }

  /** Whether any of `reads` is marked in `changed`. */
  public static anyChanged(reads: Int32Array, changed: Uint8Array): boolean {
    for (let i = 0; i < reads.length; i++) if (reads[i] < 0 || reads[i] >= changed.length || changed[reads[i]] === 1) return true;
    return false;
  }

  /** A model for one chart's build; its reads are the chart's (`done()` ends them). */
  public chart(): ChartReads {
    const own: number[] = [];
    const serial = ++this.serial;
    const sink: ReadSink = {
      mark: (id) => {
        if (id === OPAQUE) own.push(id);
        else if (this.stamps[id] !== serial) {
          this.stamps[id] = serial;
          own.push(id);
        }
        for (const c of this.captures) c.push(id);
      },
    };
    const reads = new ChartReads(this, sink, own);
    this.active = reads;
    return reads;
  }

  /** Ends the active chart. */
  public endChart(reads: ChartReads): void {
    if (this.active === reads) this.active = undefined;
  }

  /** Lets go of this synth's values (the model): the tracker keeps paths and tokens only. */
  public release(): void {
    this.shared?.close();
    this.shared = undefined;
    this.active = undefined;
    this.values = [];
  }

  /** Whether a shared computation is capturing reads (lib/core/model-memo.ts). */
  public get capturing(): boolean {
    return this.captures.length > 0;
  }

  /** Whether a read's token is one no other read matches (the chart read what cannot be compared). */
  public incomparable(id: number): boolean {
    return id === OPAQUE || this.opaque[id];
  }

  private sharedSink(): ReadSink {
    return {
      mark: (id) => {
        this.active?.mark(id);
        for (const c of this.captures) c.push(id);
      },
    };
  }

  /** The shared computations' model (lib/core/model-memo.ts). */
  public sharing(): SharedReads {
    const shared = this.shared!;
    return {
      model: shared.root,
      capture: <T>(f: () => T) => {
        const reads: number[] = [];
        this.captures.push(reads);
        try {
          const value = f();
          return { value, reads: [this.group(reads)] };
        } finally {
          this.captures.pop();
        }
      },
      replay: (reads) => {
        for (const id of reads) {
          this.active?.mark(id);
          for (const c of this.captures) c.push(id);
        }
      },
    };
  }

  /** The id of a read (made and evaluated in this synth's view when new). */
  public lookup(parent: number, op: number, prop: string): number {
    const m = this.readsOf(parent, op);
    const key = readKey(op, prop);
    let id = m.get(key);
    if (id === undefined) {
      id = this.add(parent, op, prop);
      m.set(key, id);
      this.evaluate(id);
    }
    return id;
  }

  /** The reads of one kind (GET, or the others) made under a parent, by readKey. */
  private readsOf(parent: number, op: number): Map<string, number> {
    const maps = op === GET ? this.gets : this.others;
    return (maps[parent] ??= new Map());
  }

  /** Records a group read's members (sorted), and the group under them. */
  private setGroup(id: number, members: Int32Array): void {
    this.groups.set(id, members);
    this.groupIds.set(members.join(','), id);
  }

  /** Indexes a read made by `add` under its parent; false when the parent has that read already. */
  private index(id: number): boolean {
    const m = this.readsOf(this.parents[id], this.ops[id]);
    const key = readKey(this.ops[id], this.props[id]);
    if (m.has(key)) return false;
    m.set(key, id);
    return true;
  }

  /**
   * A tracker with only the reads `lists` name and the reads they stand on (parents, group members), renumbered in
   * the same order, with their tokens; and the lists renumbered. For a tracker whose charts no longer read most of
   * what it knows (call after release()).
   */
  public compact(lists: ReadonlyArray<Int32Array>): { readonly tracker: ReadTracker; readonly lists: Int32Array[] } {
    const n = this.parents.length;
    const live = new Uint8Array(n);
    live[0] = 1;
    const todo: number[] = [];
    const visit = (id: number): void => {
      if (id >= 0 && live[id] === 0) {
        live[id] = 1;
        todo.push(id);
      }
    };
    for (const list of lists) for (const id of list) visit(id);
    while (todo.length > 0) {
      const id = todo.pop()!;
      visit(this.parents[id]);
      for (const m of this.groups.get(id) ?? []) visit(m);
    }
    const remap = new Int32Array(n).fill(-1);
    remap[0] = 0;
    const t = new ReadTracker(this.accessorOk);
    for (let i = 1; i < n; i++) {
      if (live[i] === 0) continue;
      const id = t.add(this.ops[i] === GROUP ? -1 : remap[this.parents[i]], this.ops[i], this.props[i]);
      t.tokens[id] = this.tokens[i];
      t.opaque[id] = this.opaque[i];
      remap[i] = id;
      if (this.ops[i] !== GROUP) t.index(id);
    }
    for (const [g, members] of this.groups) {
      if (live[g] === 0) continue;
      t.setGroup(remap[g], Int32Array.from(members, (x) => remap[x]).sort());
    }
    t.baseline = t.size;
    return { tracker: t, lists: lists.map((list) => Int32Array.from(list, (x) => remap[x])) };
  }

  /**
   * One read standing for `reads` (a shared computation's: lib/core/model-memo.ts), changed when any of them is: a
   * chart that takes the computed value marks one read, not all of the computation's. OPAQUE when one is.
   */
  public group(reads: ReadonlyArray<number>): number {
    const members = Int32Array.from(new Set(reads)).sort();
    if (members.length > 0 && members[0] === OPAQUE) return OPAQUE;
    let id = this.groupIds.get(members.join(','));
    if (id === undefined) {
      id = this.add(-1, GROUP, '');
      this.setGroup(id, members);
    }
    this.opaque[id] = members.some((m) => this.opaque[m]);
    return id;
  }

  /** A new read id. */
  private add(parent: number, op: number, prop: string): number {
    const id = this.parents.length;
    this.parents.push(parent);
    this.ops.push(op);
    this.props.push(prop);
    this.tokens.push('');
    this.values.push(undefined);
    this.failed.push(false);
    this.opaque.push(false);
    if (id >= this.stamps.length) {
      const grown = new Int32Array(this.stamps.length * 2);
      grown.set(this.stamps);
      this.stamps = grown;
    }
    return id;
  }

  /** This synth's value of a read (throws what it threw). */
  public value(id: number): unknown {
    if (this.failed[id]) throw this.values[id];
    return this.values[id];
  }

  private evaluate(i: number): void {
    madeUnique = false;
    this.evaluateToken(i);
    this.opaque[i] = madeUnique;
  }

  private evaluateToken(i: number): void {
    const parent = this.parents[i];
    const target = this.values[parent];
    if (this.failed[parent] || !isObject(target)) {
      this.tokens[i] = '!gone';
      this.values[i] = undefined;
      this.failed[i] = false;
      return;
    }
    const prop = this.props[i];
    try {
      let token: string;
      let value: unknown;
      switch (this.ops[i]) {
        case GET:
          if (prop === 'length' && Array.isArray(target)) {
            // An array's length is always its own (and the only thing a hidden list tells).
            value = (target as unknown[]).length;
            token = valueToken(value);
            break;
          }
          {
            const d = Reflect.getOwnPropertyDescriptor(target, prop);
            value = Reflect.get(target, prop);
            if (d === undefined) token = `~${typeof value === 'function' ? 'f' : valueToken(value)}`;
            else if (d.get !== undefined || d.set !== undefined) token = this.accessorOk(d.get) ? `g${valueToken(value)}` : uniqueToken();
            else token = valueToken(value);
          }
          break;
        case DESC: {
          const d = Reflect.getOwnPropertyDescriptor(target, prop);
          value = d;
          token = d === undefined ? '!none' : `${d.enumerable ? 'e' : '-'}${d.writable ? 'w' : '-'}${d.configurable ? 'c' : '-'}${d.get || d.set ? 'a' : 'v'}`;
          break;
        }
        case HAS:
          value = Reflect.has(target, prop);
          token = value ? '1' : '0';
          break;
        default: {
          const keys = Reflect.ownKeys(target);
          value = keys;
          token = keys.some((k) => typeof k === 'symbol') ? uniqueToken() : JSON.stringify(keys);
        }
      }
      this.tokens[i] = token;
      this.values[i] = value;
      this.failed[i] = false;
    } catch (e) {
      this.tokens[i] = '!throw';
      this.values[i] = e;
      this.failed[i] = true;
    }
  }
}

