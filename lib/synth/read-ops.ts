/** The kinds of read a chart's model notes (lib/synth/read-record.ts), shared by the tracker and the Proxies. */

/** The read id of a read that cannot be compared (a chart that made one is not kept). */
export const OPAQUE = -1;

/** A read's operation: a property's value, its descriptor, `in`, the list of keys. */
export const GET = 0;
export const DESC = 1;
export const HAS = 2;
export const KEYS = 3;
/** A read standing for other reads (ReadTracker.group). */
export const GROUP = 4;

export const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Where the marks of a model's reads go. */
export interface ReadSink {
  mark(id: number): void;
}
