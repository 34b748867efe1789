/** What `f` throws, for a test that asserts on the error itself; undefined when `f` returns. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
