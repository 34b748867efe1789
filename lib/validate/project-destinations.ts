import { Json } from './pods';
import { Entry, Finding } from './types';

/** A project destination or an Application's: a cluster by server URL or name, and a namespace. */
interface Destination {
  readonly server?: string;
  readonly name?: string;
  readonly namespace?: string;
}

const compiled = new Map<string, RegExp | undefined>();

/**
 * A glob of Argo CD's (`*` any run of characters, `?` one) as a RegExp, compiled once per pattern; undefined for other
 * glob syntax, or a deny pattern (`!…`).
 */
function globRegExp(pattern: string): RegExp | undefined {
  if (compiled.has(pattern)) return compiled.get(pattern);
  const re = /[[\]{}\\!]/.test(pattern) ? undefined : new RegExp(`^${pattern.replace(/[.+^$()|]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  compiled.set(pattern, re);
  return re;
}

/**
 * Whether a project destination lets an Application's destination in, as Argo CD decides it (argo-cd v3.5.1
 * `pkg/apis/application/v1alpha1/app_project_types.go` isDestinationMatched): the server (or name) and the
 * namespace both match, each a glob; an empty namespace matches only a pattern that matches the empty string
 * (`*`). Undefined when this check cannot tell (glob syntax beyond `*` and `?`, deny patterns, a destination by
 * name against destinations by server: Argo CD resolves names from its cluster secrets).
 */
function permits(item: Destination, dst: Destination): boolean | undefined {
  const match = (pattern: string | undefined, value: string | undefined): boolean | undefined => {
    const re = globRegExp(pattern ?? '');
    return re === undefined ? undefined : re.test(value ?? '');
  };
  const cluster = dst.server ? match(item.server, dst.server) : dst.name && item.name !== undefined ? match(item.name, dst.name) : undefined;
  if (cluster === undefined) return undefined;
  const namespace = match(item.namespace, dst.namespace);
  if (cluster === false || namespace === false) return false;
  return namespace === undefined ? undefined : true;
}

/**
 * Every Application of the tree whose AppProject is in the tree must have a destination the project permits: Argo
 * CD refuses any other (util/argo/argo.go ValidatePermissions: "application destination server … and namespace …
 * do not match any of the allowed destinations in project"), and nothing of it is deployed. Templated
 * destinations (an ApplicationSet's) are left to Argo CD. When the tree holds AppProjects (the Argo CD bootstrap), every
 * Application must name one of them: a root app-of-apps deploys whatever Application its folder holds, whatever project
 * that names (Argo CD checks the child's kind and namespace against the root's project, not the child's own project),
 * so one naming `default` or another install's project would escape the stack's.
 */
export function checkProjectDestinations(entries: ReadonlyArray<Entry>): Finding[] {
  const projects = new Map<string, Destination[]>();
  for (const e of entries) {
    const o = e.object as Json;
    if (o.kind === 'AppProject' && typeof o.metadata?.name === 'string') projects.set(o.metadata.name, (o.spec?.destinations ?? []) as Destination[]);
  }
  // Destinations without glob syntax, by server and namespace (a listed destination matches itself).
  const plain = (d: Destination) => typeof d.server === 'string' && typeof d.namespace === 'string' && !/[*?[\]{}\\!]/.test(d.server + d.namespace);
  const literal = new Map([...projects].map(([name, list]) => [name, new Set(list.filter(plain).map((d) => `${d.server}\u0000${d.namespace}`))]));
  const out: Finding[] = [];
  for (const e of entries) {
    const o = e.object as Json;
    if (o.kind !== 'Application') continue;
    const allowed = projects.get(o.spec?.project ?? 'default');
    if (allowed === undefined && projects.size > 0) {
      out.push({
        file: e.file,
        pointer: '/spec/project',
        message: `names AppProject ${o.spec?.project ?? 'default'}, which the stack's Argo CD bootstrap does not define (${[...projects.keys()].sort().join(', ')}): the root Application would deploy it under a project whose destinations and kinds the stack does not set; fix: set spec.project to the stack's project`,
      });
      continue;
    }
    const dst = (o.spec?.destination ?? {}) as Destination;
    if (allowed === undefined || Object.values(dst).some((v) => typeof v === 'string' && v.includes('{{'))) continue;
    // The usual case first: a destination listed as it is (200 clusters give ~1,000 destinations and ~1,500 Applications).
    if (dst.server !== undefined && dst.namespace !== undefined && literal.get(o.spec?.project ?? 'default')?.has(`${dst.server}\u0000${dst.namespace}`)) continue;
    const verdicts = allowed.map((item) => permits(item, dst));
    if (verdicts.includes(true) || verdicts.includes(undefined)) continue;
    const where = dst.server ?? dst.name ?? '';
    out.push({
      file: e.file,
      pointer: '/spec/destination',
      message: `destination server "${where}" and namespace "${dst.namespace ?? ''}" match no destination of AppProject ${o.spec?.project}: Argo CD refuses the Application and deploys nothing of it; ${dst.namespace ? 'list that namespace in the project' : 'give the Application a destination namespace the project lists (an empty one matches only "*")'}`,
    });
  }
  return out;
}
