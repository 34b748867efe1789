import { allRuleGroups, COMPONENT_REGISTRY } from '../../charts';
import { StackModel } from '../model';
import { dashboardsReadme, stackDashboards } from '../dashboards/dashboards';
import { deviceBootstrapDocuments } from '../energy/device-power';
import { iomtReadme } from '../iomt/diagram';
import { RUNBOOKS_FILE, runbooksMarkdown } from '../monitoring/runbooks';

/**
 * Documents for people written beside the YAML (paths relative to the output folder): RUNBOOKS.md, which
 * every alert's runbook_url points into, when the stack has monitoring; <cluster>/iomt/README.md with the
 * cluster's pipelines as a Mermaid diagram; <fleet cluster>/fleet/device-bootstrap/<set>/ with the Kepler host
 * service of each device set that measures or estimates its power (lib/energy/device-power.ts).
 */
export function documents(model: StackModel): Map<string, string> {
  const out = new Map<string, string>();
  if (model.monitoring) out.set(RUNBOOKS_FILE, runbooksMarkdown(model.name, allRuleGroups(model, COMPONENT_REGISTRY)));
  for (const cluster of new Set((model.iomt?.pipelines ?? []).map((p) => p.cluster))) out.set(`${cluster}/iomt/README.md`, iomtReadme(model, cluster));
  for (const [path, text] of deviceBootstrapDocuments(model)) out.set(path, text);
  if (model.dashboards) out.set(`${model.dashboards.cluster}/dashboards/README.md`, dashboardsReadme(model.name, stackDashboards(model)));
  return out;
}
