import { Command, InvalidArgumentError } from 'commander';
import { formatPlan, planSeries } from '../../monitoring/plan';
import { loadStackFile, withStackLines } from '../../synth';
import { resolveStack } from '../../synth/resolve-all';
import { CliIO } from '../io';
import { OutputFormat, reportAs, withOutputFlag } from '../json';

/** Most nodes per cluster `plan` models: far above any cluster, low enough that every figure stays exact. */
const MAX_NODES = 100_000;

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  if (n > MAX_NODES) throw new InvalidArgumentError(`must be at most ${MAX_NODES} (Kubernetes supports 5,000 nodes per cluster)`);
  return n;
}

/** `edgewatt plan`: estimated series and samples per second, with and without the selection policy. */
export function planCommand(io: CliIO): Command {
  return withOutputFlag(new Command('plan'))
    .description('estimate active series and samples per second of the fleet, with and without monitoring.selection')
    .option('-c, --config <file>', 'the stack description', 'stack.yaml')
    .option('--nodes-per-cluster <n>', 'nodes in each cluster (the stack does not say)', positiveInt, 3)
    .option('--pods-per-node <n>', 'pods on each node', positiveInt, 20)
    .action((flags: { config: string; nodesPerCluster: number; podsPerNode: number; output: OutputFormat }) =>
      reportAs(io, flags.output, 'plan', () => {
        const model = withStackLines(flags.config, () => resolveStack(loadStackFile(flags.config)));
        const plan = planSeries(model, { nodesPerCluster: flags.nodesPerCluster, podsPerNode: flags.podsPerNode });
        if (flags.output === 'text') io.out(formatPlan(plan));
        return { plan };
      }),
    );
}
