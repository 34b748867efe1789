import { Flow } from '../../core/flows';
import { Entry, Finding } from '../types';
import { checkPeerBreadth } from './breadth';
import { checkConfigured } from './configured';
import { ClusterObjects } from './objects';
import { checkUndeclaredPaths } from './undeclared';
import { FlowContext } from './context';
import { checkExternalPath, checkNetworkPath } from './network';
import { FlowReuse } from './reuse';
import { FlowVerdictStore } from './store';
import { Segments } from '../segments';
import { checkApiServer, checkScrape } from './scrape';

/** A flow and the gate's verdict on it. */
export interface FlowVerdict {
  readonly flow: Flow;
  /** Whether every check of the flow passes. */
  readonly ok: boolean;
  /** Why it fails, one finding per blocking object (none when ok). */
  readonly findings: ReadonlyArray<Finding>;
}

/**
 * The flow gate: evaluates every flow on the synthesized objects (never the model), so a hand-edited or
 * reverted object is caught: the destination exists where the transport leads (Service, ServiceExport, Ingress,
 * LoadBalancer), its selector and ports reach a container port, NetworkPolicies admit the flow both ways, RBAC
 * grants discovery and API access, the scrape job keeps the target, and the configured URL is the declared one.
 * Every failing flow is reported; the checks of one flow go on after its first failure where they can.
 */
export function evaluateFlows(flows: ReadonlyArray<Flow>, entries: ReadonlyArray<Entry>, root = 'dist', store?: FlowVerdictStore): FlowVerdict[] {
  return evaluate(flows, entries, root, store).verdicts;
}

function evaluate(flows: ReadonlyArray<Flow>, entries: ReadonlyArray<Entry>, root: string, store?: FlowVerdictStore, segments?: Segments): { verdicts: FlowVerdict[]; clusters: ReadonlyMap<string, ClusterObjects> } {
  // A flow whose clusters are as they were in the last evaluation in this process (or, with a store, in the one the
  // store kept) gets its verdict again (reuse.ts).
  const reuse = new FlowReuse(entries, root, store, segments);
  const verdicts = flows.map((flow) => {
    const findings = reuse.findings(flow, () => {
      const ctx = new FlowContext(flow, reuse.clusters, root);
      checkNetworkPath(ctx);
      checkExternalPath(ctx);
      checkApiServer(ctx);
      checkScrape(ctx);
      checkConfigured(ctx);
      return { reads: ctx.reads, findings: dedupe(ctx.findings) };
    });
    return { flow, ok: findings.length === 0, findings };
  });
  reuse.close();
  return { verdicts, clusters: reuse.clusters };
}

/**
 * The findings of every failing flow, for the validation gates (`store`: verdicts kept on disk, store.ts; @default none;
 * `segments`: the entries as consecutive lists, lib/validate/segments.ts; @default one list, the entries); of every NetworkPolicy peer that admits a whole
 * namespace where the flows it lets in come from pods the stack names (breadth.ts); and of every name of the output's
 * own Services that an object gives without a declared flow reaching it (undeclared.ts).
 */
export function checkFlows(flows: ReadonlyArray<Flow>, entries: ReadonlyArray<Entry>, root = 'dist', store?: FlowVerdictStore, segments?: Segments): Finding[] {
  const { verdicts, clusters } = evaluate(flows, entries, root, store, segments);
  return [...verdicts.flatMap((v) => v.findings), ...checkPeerBreadth(flows, clusters), ...checkUndeclaredPaths(flows, entries, clusters, segments)];
}

function dedupe(findings: ReadonlyArray<Finding>): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.file}\0${f.pointer}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
