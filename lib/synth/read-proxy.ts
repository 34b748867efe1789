import { shareReads, SharedReads } from '../core/model-memo';
import { DESC, GET, HAS, isObject, KEYS, OPAQUE, ReadSink } from './read-ops';
import type { ReadTracker } from './read-record';

/**
 * A chart's read-recording model over the view (lib/synth/read-record.ts): read-only Proxies, one per path, whose
 * traps note every read in the tracker and answer with what the tracker read in the view.
 */

/** The error a chart's model throws once its build is over. */
export class ReadAfterBuild extends Error {
  constructor() {
    super('a chart used its model after its build (kept a part of it in its objects)');
    this.name = 'ReadAfterBuild';
  }
}

const readOnly = (): never => {
  throw new TypeError('the model is read-only in a chart build');
};

/** A Proxy's own state, on its stand-in target: its read, the object it stands for, and what it answered. */
interface ProxyState {
  readonly id: number;
  readonly target: object;
  readonly seen: Map<string, unknown> | undefined;
}
const STATE = Symbol('read-record');
const stateOf = (standIn: object): ProxyState => (standIn as { [STATE]: ProxyState })[STATE];

/** One model over the view (a chart's, or the synth's shared one): Proxies that note reads. */
export class ChartReads {
  private readonly proxies = new Map<number, object>();
  private closed = false;
  /** The model: give it to the chart's build. */
  public readonly root: object;

  constructor(
    private readonly tracker: ReadTracker,
    private readonly sink: ReadSink,
    private readonly own?: number[],
  ) {
    this.root = this.proxy(0);
    shareReads(this.root, lazySharing(tracker));
  }

  public mark(id: number): void {
    this.sink.mark(id);
  }

  /**
   * Ends the chart's reads: its Proxies throw from now on. Gives the reads, or undefined when one of them cannot be
   * compared (the chart is then not kept).
   */
  public done(): Int32Array | undefined {
    this.close();
    this.tracker.endChart(this);
    const own = this.own ?? [];
    return own.some((id) => this.tracker.incomparable(id)) ? undefined : Int32Array.from(own);
  }

  public close(): void {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new ReadAfterBuild();
  }

  /**
   * A symbol-keyed read: plain data has no symbol keys of its own, so what is read is the prototype's; an own one
   * cannot be compared (the chart is then not kept).
   */
  private symbolRead(target: object, prop: symbol): void {
    if (Reflect.getOwnPropertyDescriptor(target, prop) !== undefined) this.sink.mark(OPAQUE);
  }

  /** Notes a read of the object at read `id`; gives the read's id. */
  private read(id: number, op: number, prop: string): number {
    const r = this.tracker.lookup(id, op, prop);
    this.sink.mark(r);
    return r;
  }

  /** What read `r` gave: a primitive, or the Proxy of the object. */
  private valueAt(r: number): unknown {
    const v = this.tracker.value(r);
    return isObject(v) ? this.proxy(r) : v;
  }

  /**
   * The traps of every Proxy of this model (one handler: a Proxy's own state is on its stand-in target, under
   * STATE, so a Proxy costs no closures).
   */
  private readonly handler: ProxyHandler<object> = {
    get: (t, prop) => {
      this.check();
      const { id, target, seen } = stateOf(t);
      if (typeof prop === 'symbol') {
        this.symbolRead(target, prop);
        return Reflect.get(target, prop);
      }
      if (seen !== undefined && !this.tracker.capturing) {
        const v = seen.get(prop);
        if (v !== undefined || seen.has(prop)) return v;
        const value = this.valueAt(this.read(id, GET, prop));
        seen.set(prop, value);
        return value;
      }
      return this.valueAt(this.read(id, GET, prop));
    },
    getOwnPropertyDescriptor: (t, prop) => {
      this.check();
      const { id, target } = stateOf(t);
      if (typeof prop === 'symbol') {
        this.symbolRead(target, prop);
        return undefined;
      }
      const d = this.tracker.value(this.read(id, DESC, prop)) as PropertyDescriptor | undefined;
      if (d === undefined) return undefined;
      const value = this.valueAt(this.read(id, GET, prop));
      // The stand-in's own `length` (an array's) is not configurable: it must be described so.
      if (prop === 'length' && Array.isArray(target)) return { value, writable: true, enumerable: false, configurable: false };
      return { value, writable: true, enumerable: d.enumerable, configurable: true };
    },
    has: (t, prop) => {
      this.check();
      const { id, target } = stateOf(t);
      if (typeof prop === 'symbol') {
        this.symbolRead(target, prop);
        return Reflect.has(target, prop);
      }
      return this.tracker.value(this.read(id, HAS, prop)) as boolean;
    },
    ownKeys: (t) => {
      this.check();
      return [...(this.tracker.value(this.read(stateOf(t).id, KEYS, '')) as Array<string | symbol>)];
    },
    getPrototypeOf: (t) => {
      this.check();
      return Reflect.getPrototypeOf(stateOf(t).target);
    },
    isExtensible: () => {
      this.check();
      return true;
    },
    preventExtensions: readOnly,
    set: readOnly,
    defineProperty: readOnly,
    deleteProperty: readOnly,
    setPrototypeOf: readOnly,
  };

  /** The model's object at read `id` (a Proxy of it). */
  private proxy(id: number): object {
    let p = this.proxies.get(id);
    if (p !== undefined) return p;
    const target = this.tracker.value(id) as object;
    // A chart's model answers a property read again from what it gave (the read is the chart's already), unless a
    // shared computation is capturing reads (lib/core/model-memo.ts), which must see it. The shared model's reads
    // count for whichever chart is being built, so it answers every read anew.
    const state: ProxyState = { id, target, seen: this.own === undefined ? undefined : new Map<string, unknown>() };
    const standIn: object = Array.isArray(target) ? [] : {};
    Object.defineProperty(standIn, STATE, { value: state, configurable: true });
    p = new Proxy(standIn, this.handler);
    this.proxies.set(id, p);
    return p;
  }
}

/** The tracker's sharing, asked for when a shared value is first needed (its model exists from refresh on). */
function lazySharing(tracker: ReadTracker): SharedReads {
  let s: SharedReads | undefined;
  const get = (): SharedReads => (s ??= tracker.sharing());
  return {
    get model() {
      return get().model;
    },
    capture: (f) => get().capture(f),
    replay: (reads) => get().replay(reads),
  };
}
