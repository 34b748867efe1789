import { ProblemList } from '../core/errors';
import { didYouMean } from '../core/names';

/** Decides which cluster a component runs on, reporting unknown or missing cluster names. */
export class Placer {
  private readonly names: ReadonlyArray<string>;
  private readonly known: ReadonlySet<string>;

  constructor(clusterNames: ReadonlyArray<string>, private readonly problems: ProblemList) {
    this.names = [...new Set(clusterNames)].sort();
    this.known = new Set(clusterNames);
  }

  /** Checks that `name` is a cluster of the stack; reports it at `path` otherwise. */
  public check(name: string, path: string): boolean {
    if (this.known.has(name)) return true;
    this.problems.add(path, `no cluster named "${name}"${didYouMean(name, this.names)}`);
    return false;
  }

  /**
   * The cluster of a component: the explicit one, else `fallback` (the hub), else the only cluster.
   * In a stack of several clusters with neither, the key is required. A `fallback` of null is a default that could
   * not be placed (its own field's problem is reported): none then, and no second problem.
   */
  public place(explicit: string | undefined, path: string, fallback?: string | null): string | undefined {
    if (explicit !== undefined) return this.check(explicit, path) ? explicit : undefined;
    if (fallback === null) return undefined;
    if (fallback !== undefined) return fallback;
    if (this.names.length === 1) return this.names[0];
    this.problems.add(
      path,
      `is required when the stack has more than one cluster: name one of ${this.names.map((n) => `"${n}"`).join(', ')}`,
    );
    return undefined;
  }
}
