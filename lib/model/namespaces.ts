import { ProblemList } from '../core/errors';
import { ComponentName, NamespaceModel } from './types';

/** Why the power exporter's namespace is privileged; shown in the policy report. */
export const KEPLER_EXCEPTION_REASON =
  'Kepler reads hardware energy counters (RAPL, hwmon) and per-process CPU time through eBPF: it needs a privileged container, hostPID and read-only host mounts of /proc, /sys and kernel modules';

interface Use extends NamespaceModel {
  readonly cluster: string;
  readonly path: string;
}

/** Collects the namespaces each component uses per cluster and reports conflicting uses. */
export class NamespacePlan {
  private readonly uses: Use[] = [];

  /** Records that `component` uses `name` on `cluster`, declared at field `path`. */
  public use(cluster: string, name: string, component: ComponentName, path: string, exceptionReason?: string): void {
    this.uses.push({
      cluster,
      name,
      component,
      path,
      podSecurity: exceptionReason ? 'privileged' : 'restricted',
      exceptionReason,
    });
  }

  /** Records that `component` puts objects into `name` on `cluster`, a namespace managed outside the stack. */
  public useExternal(cluster: string, name: string, component: ComponentName, path: string): void {
    this.uses.push({ cluster, name, component, path, podSecurity: 'restricted', external: true });
  }

  /** The clusters some component uses so far, sorted. */
  public clusters(): string[] {
    return [...new Set(this.uses.map((u) => u.cluster))].sort();
  }

  /** The namespaces of each cluster, sorted; a privileged namespace shared with anything else is a problem. */
  public resolve(problems: ProblemList): Map<string, NamespaceModel[]> {
    const byKey = new Map<string, Use[]>();
    for (const u of this.uses) {
      const key = `${u.cluster}/${u.name}`;
      const list = byKey.get(key);
      if (list) list.push(u);
      else byKey.set(key, [u]);
    }
    const out = new Map<string, NamespaceModel[]>();
    for (const [, uses] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const privileged = uses.find((u) => u.exceptionReason);
      const others = uses.filter((u) => u !== privileged);
      if (privileged && others.length > 0) {
        problems.add(
          privileged.path,
          `namespace "${privileged.name}" on cluster "${privileged.cluster}" is privileged for the power exporter and must hold nothing else, but ${others[0].path} uses it too: choose another namespace`,
        );
      }
      const external = uses.find((u) => u.external);
      if (privileged && external) {
        problems.add(
          privileged.path,
          `namespace "${privileged.name}" on cluster "${privileged.cluster}" is the existing Prometheus install's (${external.path}), which edgewatt does not label privileged for the power exporter: choose another namespace`,
        );
      }
      const first = privileged ?? external ?? uses[0];
      const ns: NamespaceModel = {
        name: first.name,
        component: first.component,
        podSecurity: first.podSecurity,
        ...(first.exceptionReason ? { exceptionReason: first.exceptionReason } : {}),
        ...(external ? { external: true } : {}),
      };
      const list = out.get(first.cluster);
      if (list) list.push(ns);
      else out.set(first.cluster, [ns]);
    }
    return out;
  }
}
