/**
 * `v` made read-only all the way down (every object and array it holds, frozen in place), and returned. An
 * object already frozen is taken as frozen all the way down, and not walked again.
 */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
