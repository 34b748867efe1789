import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../core/errors';
import { Entry } from '../validate/types';
import { loadYamlTree } from '../validate/load';
import { recoverTree } from '../synth/writer';

const ARGOCD = 'argoproj.io/v1alpha1';
const FLOTTA = 'management.project-flotta.io/v1alpha1';

/** An Argo CD Application the committed tree makes. */
export interface ExpectedApplication {
  readonly name: string;
  readonly namespace: string;
  /** The dist/<cluster> folder it belongs to. */
  readonly cluster: string;
}

/** An EdgeDevice the committed tree admits (the operator creates it from a pre-approved EdgeDeviceSignedRequest). */
export interface ExpectedDevice {
  readonly name: string;
  readonly namespace: string;
  /** Heartbeat period from the device or its set; undefined when neither sets one. */
  readonly heartbeatSeconds?: number;
}

/** What the committed tree says should be live. */
export interface Expected {
  /** The stack name (label `app.kubernetes.io/part-of`). */
  readonly stack: string;
  readonly applications: ExpectedApplication[];
  readonly devices: ExpectedDevice[];
}

/** Reads every object of a folder (after recovering an interrupted write); a folder that does not exist or does not parse is bad input. */
export function readObjects(dir: string, flag: string, keep?: RegExp): Entry[] {
  recoverTree(dir); // before the folder is judged missing: a killed write may have parked it
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SpecError([{ path: flag, message: `${dir} is not a folder: run \`edgewatt synth\` first, or pass the folder it wrote` }]);
  }
  const { entries, findings } = loadYamlTree(dir, dir, keep);
  if (findings.length > 0) throw new SpecError(findings.map((f) => ({ path: f.file, message: f.message })));
  return entries;
}

/** Files that may hold the kinds status needs; only those are parsed (a 10,000-device tree has 23,000 files). */
const WANTED = /^kind: *["']?(Application|ApplicationSet|AppProject|EdgeDeviceSignedRequest|EdgeDeviceSet)["']? *$/m;

const name = (e: Entry): string => e.object.metadata.name as string;
/** `spec.heartbeat.periodSeconds` of an EdgeDeviceSet. */
const heartbeatPeriod = (e: Entry): number | undefined => {
  const p = (e.object.spec as { heartbeat?: { periodSeconds?: unknown } } | undefined)?.heartbeat?.periodSeconds;
  return typeof p === 'number' ? p : undefined;
};

/**
 * The Applications and devices a synthesized tree makes: the root Applications in the bootstrap folder,
 * each cluster's Applications under `dist/<cluster>/argocd`, and in ApplicationSet mode one Application per
 * `dist/<cluster>/<folder>` as the generator names them.
 */
export function expectedFromTree(distDir: string, bootstrapDir: string): Expected {
  const dist = readObjects(distDir, '--dist', WANTED);
  const bootstrap = fs.existsSync(bootstrapDir) ? readObjects(bootstrapDir, '--bootstrap', WANTED) : [];
  const all = [...bootstrap, ...dist];
  const project = all.find((e) => e.object.apiVersion === ARGOCD && e.object.kind === 'AppProject');
  const labelled = all.map((e) => e.object.metadata.labels?.['app.kubernetes.io/part-of']).find((s): s is string => typeof s === 'string');
  const appSet = all.find((e) => e.object.apiVersion === ARGOCD && e.object.kind === 'ApplicationSet');
  // The AppProject and the ApplicationSet are named after the stack.
  // (The root Applications' project, `<stack>-bootstrap`, carries the stack's label too.)
  const stack = project ? (project.object.metadata.labels?.['app.kubernetes.io/part-of'] ?? name(project)) : appSet ? name(appSet) : labelled;
  if (!stack) {
    throw new SpecError([{ path: '--dist', message: `${distDir} holds no edgewatt objects (no AppProject, no app.kubernetes.io/part-of label): pass the folder \`edgewatt synth\` wrote` }]);
  }
  const applications = new Map<string, ExpectedApplication>();
  for (const e of all.filter((x) => x.object.apiVersion === ARGOCD && x.object.kind === 'Application')) {
    const cluster = e.object.metadata.labels?.['edgewatt.io/cluster'] ?? (e.cluster === '.' ? '' : e.cluster);
    applications.set(name(e), { name: name(e), namespace: e.object.metadata.namespace ?? 'argocd', cluster });
  }
  if (appSet) {
    for (const cluster of fs.readdirSync(distDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const folder of fs.readdirSync(path.join(distDir, cluster.name), { withFileTypes: true })) {
        if (!folder.isDirectory() || folder.name === 'argocd') continue;
        const n = `${stack}-${cluster.name}-${folder.name}`;
        applications.set(n, { name: n, namespace: appSet.object.metadata.namespace ?? 'argocd', cluster: cluster.name });
      }
    }
  }
  const setPeriods = new Map<string, number>();
  for (const e of dist.filter((x) => x.object.apiVersion === FLOTTA && x.object.kind === 'EdgeDeviceSet')) {
    const period = heartbeatPeriod(e);
    if (period !== undefined) setPeriods.set(`${e.object.metadata.namespace}/${name(e)}`, period);
  }
  // Each approved request becomes EdgeDevice <name> in spec.targetNamespace, member of spec.targetSet
  // (flotta-operator v0.2.0 controllers/edgedevicesignedrequest_controller.go).
  const devices = dist
    .filter((e) => e.object.apiVersion === FLOTTA && e.object.kind === 'EdgeDeviceSignedRequest')
    .map((e): ExpectedDevice => {
      const spec = (e.object.spec ?? {}) as { targetNamespace?: string; targetSet?: string };
      const namespace = spec.targetNamespace ?? 'default';
      const heartbeatSeconds = spec.targetSet ? setPeriods.get(`${namespace}/${spec.targetSet}`) : undefined;
      return { name: name(e), namespace, ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}) };
    });
  const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { stack, applications: [...applications.values()].sort(byName), devices: devices.sort(byName) };
}
