import { describeFlow, Flow } from '../../core/flows';
import { Entry, Finding } from '../types';
import { ClusterObjects, PodTemplate } from './objects';

/** What the checks of one flow share: the flow, the clusters' objects, and where to put findings. */
export class FlowContext {
  public readonly findings: Finding[] = [];
  /** Every cluster the checks asked for, with what they got (undefined: no such cluster): the verdict's inputs. */
  public readonly reads = new Map<string, ClusterObjects | undefined>();

  constructor(
    public readonly flow: Flow,
    private readonly clusters: ReadonlyMap<string, ClusterObjects>,
    private readonly root: string,
  ) {}

  /** The objects of `cluster`, or undefined (after a finding) when the tree has no such cluster. */
  cluster(name: string): ClusterObjects | undefined {
    const c = this.clusters.get(name);
    this.reads.set(name, c);
    if (!c) this.fail(undefined, `the output has no folder for cluster "${name}"`, `synthesize the stack with cluster "${name}", or fix the flow's cluster`);
    return c;
  }

  /** Records that the flow fails: `blocker` is the object at fault (undefined: it is missing). */
  fail(blocker: Entry | undefined, what: string, fix: string, pointer = '', cluster?: string): void {
    const where = blocker ? `${blocker.object.kind}/${blocker.object.metadata.name}${blocker.object.metadata.namespace ? ` in ${blocker.object.metadata.namespace}` : ''}` : undefined;
    this.findings.push({
      file: blocker?.file ?? `${this.root}/${cluster ?? this.defaultCluster()}`,
      pointer: blocker ? pointer : '',
      message: `flow ${describeFlow(this.flow)} is blocked${where ? ` by ${where}` : ''}: ${what}; fix: ${fix}`,
    });
  }

  private defaultCluster(): string {
    const f = this.flow;
    return f.to.kind === 'service' || f.to.kind === 'pods' || f.to.kind === 'api-server' ? f.to.cluster : f.from.kind === 'external' ? '.' : f.from.cluster;
  }
}

/** `k=v,k=v` of a label map, for messages. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The container port (by name or number) of a pod template, with its container. */
export function containerPort(t: PodTemplate, port: number | string): { container: string; name?: string; number: number; protocol: string } | undefined {
  for (const c of t.containers) {
    for (const p of c.ports ?? []) {
      if (typeof port === 'number' ? p.containerPort === port : p.name === port) return { container: c.name, name: p.name, number: p.containerPort, protocol: p.protocol ?? 'TCP' };
    }
  }
  return undefined;
}
