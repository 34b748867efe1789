/**
 * A map keyed by four strings (cluster, kind, namespace, name) that answers exactly as a map keyed by their
 * `a/b/c/d` text does, without building that text for each object: at 100,000 objects, joining and hashing a
 * fresh key per object cost more than the checks that use it.
 *
 * Why it is the same: a key whose four parts hold no `/` has exactly three `/` in its text, and its parts are
 * that text split at them, so two such keys are equal exactly when their parts are; they are kept in nested
 * maps (each part is a string the object already holds, hashed once). A key with a `/` in a part has four or
 * more `/` in its text, so it never equals a key of the first sort; those are kept by their text, as before.
 */
export class ObjectKeyMap<V> {
  private readonly nested = new Map<string, Map<string, Map<string, Map<string, V>>>>();
  private readonly joined = new Map<string, V>();

  /** The value under the key, or undefined. */
  get(cluster: string, kind: string, namespace: string, name: string): V | undefined {
    if (hasSlash(cluster, kind, namespace, name)) return this.joined.get(`${cluster}/${kind}/${namespace}/${name}`);
    return this.nested.get(cluster)?.get(kind)?.get(namespace)?.get(name);
  }

  /** Whether the key is in the map. */
  has(cluster: string, kind: string, namespace: string, name: string): boolean {
    if (hasSlash(cluster, kind, namespace, name)) return this.joined.has(`${cluster}/${kind}/${namespace}/${name}`);
    return this.nested.get(cluster)?.get(kind)?.get(namespace)?.has(name) ?? false;
  }

  /** Sets the value under the key. */
  set(cluster: string, kind: string, namespace: string, name: string, value: V): void {
    if (hasSlash(cluster, kind, namespace, name)) this.joined.set(`${cluster}/${kind}/${namespace}/${name}`, value);
    else this.names(cluster, kind, namespace).set(name, value);
  }

  /**
   * The value under the key when there is one; otherwise sets `value` under it and gives undefined (get, then set
   * when missing, in one walk down the nested maps).
   */
  setIfAbsent(cluster: string, kind: string, namespace: string, name: string, value: V): V | undefined {
    const slash = hasSlash(cluster, kind, namespace, name);
    const names = slash ? this.joined : this.names(cluster, kind, namespace);
    const key = slash ? `${cluster}/${kind}/${namespace}/${name}` : name;
    const before = names.get(key);
    if (before !== undefined) return before;
    // Set, then told apart by the size: two lookups for a new key (the common case), not three.
    const size = names.size;
    names.set(key, value);
    if (names.size === size) names.set(key, before as V); // it was there with an undefined value: left as it was
    return undefined;
  }

  /** Removes the key (and its value), if there. */
  delete(cluster: string, kind: string, namespace: string, name: string): void {
    if (hasSlash(cluster, kind, namespace, name)) this.joined.delete(`${cluster}/${kind}/${namespace}/${name}`);
    else this.nested.get(cluster)?.get(kind)?.get(namespace)?.delete(name);
  }

  /** The names map of a key without `/` in its parts, made when missing. */
  private names(cluster: string, kind: string, namespace: string): Map<string, V> {
    let kinds = this.nested.get(cluster);
    if (!kinds) this.nested.set(cluster, (kinds = new Map()));
    let namespaces = kinds.get(kind);
    if (!namespaces) kinds.set(kind, (namespaces = new Map()));
    let names = namespaces.get(namespace);
    if (!names) namespaces.set(namespace, (names = new Map()));
    return names;
  }
}

function hasSlash(a: string, b: string, c: string, d: string): boolean {
  return a.includes('/') || b.includes('/') || c.includes('/') || d.includes('/');
}
