import { Command, Option } from 'commander';
import { InputError } from '../../core/errors';
import { diffLive, formatDiff } from '../../live/diff';
import { dryRunTree, formatDryRun } from '../../live/dry-run';
import { expectedFromTree } from '../../live/expected';
import { connect, ConnectOptions } from '../../live/kube';
import { ApplicationState, formatStatus, isReady, readStatus, table } from '../../live/status';
import { readClusterTree } from '../../live/tree';
import { waitForApplications } from '../../live/wait';
import { CliExit, CliIO, EXIT } from '../io';
import { CheckFailed, OutputFormat, reportAs, withOutputFlag } from '../json';
import { parseDuration } from './duration';

export { parseDuration };

interface ClusterFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly requestTimeout: string;
}


function withClusterFlags(c: Command): Command {
  return c
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--request-timeout <duration>', 'time limit of each API request', '30s');
}

function connectOptions(f: ClusterFlags, context = f.context, contextFlag = '--context'): ConnectOptions {
  return { ...(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {}), ...(context ? { context, contextFlag } : {}), requestTimeoutMs: parseDuration(f.requestTimeout, '--request-timeout') };
}

interface StatusFlags extends ClusterFlags {
  readonly output: OutputFormat;
  readonly dist: string;
  readonly bootstrap: string;
  readonly fleetContext?: string;
  readonly allDevices?: boolean;
  readonly wait?: boolean;
  readonly revision?: string;
  readonly timeout: string;
  readonly interval: string;
}

/** `edgewatt status [--wait --revision <sha>]`: Argo CD Applications and Flotta devices of the stack. */
export function statusCommand(io: CliIO): Command {
  return withOutputFlag(withClusterFlags(
    new Command('status')
      .description('show each Argo CD Application\'s sync and health and each EdgeDevice\'s phase and last heartbeat; exit 1 unless all Applications are Synced and Healthy')
      .option('--dist <dir>', 'the synthesized tree the Applications and devices are read from', 'dist')
      .option('--bootstrap <dir>', 'the bootstrap folder with the root Applications', 'argocd')
      .option('--fleet-context <name>', 'context of the cluster holding the EdgeDevices (default: --context)')
      .option('--all-devices', 'list every device (by default, above 50 devices only those missing, stale or not up)')
      .option('--wait', 'wait until every Application is Synced and Healthy (exit 4 on timeout)')
      .option('--revision <sha>', 'with --wait: the Git revision they must be synced to (a prefix of 7+ characters matches)')
      .option('--timeout <duration>', 'with --wait: how long to wait', '10m')
      .option('--interval <duration>', 'with --wait: how often to poll', '5s'),
  )).action(async (f: StatusFlags) =>
    reportAs(io, f.output, 'status', async () => {
      const text = f.output === 'text';
      if (f.revision !== undefined && !/^[0-9a-f]{7,64}$/i.test(f.revision)) {
        throw new InputError([{ path: '--revision', message: `"${f.revision}" is not a Git commit: pass 7 to 64 hex digits, e.g. $(git rev-parse HEAD)` }]);
      }
      const expected = expectedFromTree(f.dist, f.bootstrap);
      const argocd = await connect(connectOptions(f));
      const notReady = (apps: ReadonlyArray<ApplicationState>) =>
        apps.filter((a) => !isReady(a, f.revision)).map((a) => ({ path: `Application/${a.name}`, message: `sync ${a.sync}, health ${a.health}${a.message ? `: ${a.message}` : ''}` }));
      if (f.wait) {
        const timeoutMs = parseDuration(f.timeout, '--timeout');
        const intervalMs = Math.max(100, parseDuration(f.interval, '--interval'));
        const result = await waitForApplications(argocd, expected, { ...(f.revision ? { revision: f.revision } : {}), timeoutMs, intervalMs, progress: (l) => io.err(`${l}\n`) });
        const at = f.revision ? ` at ${f.revision}` : '';
        if (result.ready) {
          if (text) io.out(`all ${result.applications.length} Applications Synced and Healthy${at} (${argocd.describe})\n`);
          return { applications: result.applications };
        }
        const late = result.applications.filter((a) => !isReady(a, f.revision));
        if (!text) throw new CheckFailed(notReady(result.applications), null, { applications: result.applications }, EXIT.timeout);
        io.out(table(['APPLICATION', 'SYNC', 'HEALTH', 'REVISION', 'MESSAGE'], late.map((a) => [a.name, a.sync, a.health, a.revisions.join(',') || '-', a.message ?? ''])));
        io.err(`error: timed out after ${f.timeout}: ${late.length} of ${result.applications.length} Applications not Synced and Healthy${at}${result.lastError ? `; the last poll failed: ${result.lastError}` : ''}\n`);
        throw new CliExit(EXIT.timeout);
      }
      const fleet = f.fleetContext && f.fleetContext !== f.context ? await connect(connectOptions(f, f.fleetContext, '--fleet-context')) : argocd;
      const status = await readStatus({ argocd, fleet }, expected, Date.now());
      const ready = status.applications.every((a) => isReady(a, f.revision));
      if (!text) {
        if (!ready) throw new CheckFailed(notReady(status.applications), null, { ...status });
        return { ...status };
      }
      io.out(formatStatus(status, { now: Date.now(), ...(f.allDevices ? { allDevices: true } : {}) }));
      if (!ready) throw new CliExit(EXIT.checkFailed);
      return { ...status };
    }),
  );
}

interface ApplyFlags extends ClusterFlags {
  readonly dryRun?: boolean;
  readonly fieldManager: string;
  readonly forceConflicts?: boolean;
}

function applyFlags(c: Command): Command {
  return withClusterFlags(c)
    .addOption(new Option('--field-manager <name>', 'field manager of the apply; Argo CD\'s by default, so ownership is judged as Argo CD will').default('argocd-controller'))
    .option('--force-conflicts', 'take over fields other managers own instead of reporting conflicts');
}

/** `edgewatt apply --dry-run <dir>`: what the API server would reject. */
export function applyCommand(io: CliIO): Command {
  return applyFlags(
    new Command('apply')
      .description('server-side dry-run apply of one cluster\'s tree (dist/<cluster> or a component folder); reports each object the API server rejects; exit 1 if any')
      .argument('<dir>', 'dist/<cluster>, dist/<cluster>/<component>, or argocd/')
      .option('--dry-run', 'required: Argo CD applies from Git; edgewatt only asks the server what it would do'),
  ).action(async (dir: string, f: ApplyFlags) => {
    if (!f.dryRun) throw new InputError([{ path: '--dry-run', message: 'is required: Argo CD applies the tree from Git; `edgewatt apply` only does a server-side dry run' }]);
    const tree = readClusterTree(dir);
    const client = await connect(connectOptions(f));
    const results = await dryRunTree(client, tree.entries, { fieldManager: f.fieldManager, force: !!f.forceConflicts }, tree.created);
    io.out(formatDryRun(results, client.describe));
    if (tree.argocd.length > 0) io.out(`not sent: ${tree.argocd.length} Argo CD objects under ${dir}/argocd belong to Argo CD's cluster; dry-run that folder against it\n`);
    if (results.some((r) => r.outcome === 'rejected')) throw new CliExit(EXIT.checkFailed);
  });
}

/** `edgewatt diff <dir>`: dist against live, server-set fields ignored. */
export function diffCommand(io: CliIO): Command {
  return applyFlags(
    new Command('diff')
      .description('compare one cluster\'s tree with the live objects (server-set fields ignored); exit 1 when they differ')
      .argument('<dir>', 'dist/<cluster>, dist/<cluster>/<component>, or argocd/'),
  ).action(async (dir: string, f: ApplyFlags) => {
    const tree = readClusterTree(dir);
    const client = await connect(connectOptions(f));
    const diffs = await diffLive(client, tree, { fieldManager: f.fieldManager, force: !!f.forceConflicts });
    io.out(formatDiff(diffs, client.describe, tree.wholeCluster));
    if (diffs.some((d) => d.change !== 'unchanged')) throw new CliExit(EXIT.checkFailed);
  });
}
