import * as common from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Stable uid of the provisioned Prometheus datasource. */
export const PROMETHEUS_DS_UID = 'edgewatt-prometheus';
/** Stable uid of the provisioned Alertmanager datasource. */
export const ALERTMANAGER_DS_UID = 'edgewatt-alertmanager';

/** Panels refer to the datasource through the `datasource` variable. */
const DS: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** What a panel shows, for the README reviewers read in the Git diff. */
export interface PanelInfo {
  readonly title: string;
  readonly unit: string;
  readonly queries: ReadonlyArray<string>;
}

/** A dashboard under construction, recording each panel's title, unit and queries. */
export class Board {
  public readonly builder: DashboardBuilder;
  public readonly panels: PanelInfo[] = [];

  constructor(uid: string, title: string, tags: string[]) {
    this.builder = new DashboardBuilder(title).uid(uid).tags(['edgewatt', ...tags]).refresh('1m').time({ from: 'now-6h', to: 'now' }).timezone('browser').tooltip(DashboardCursorSync.Crosshair).readonly();
    this.builder.withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  }

  /** A query variable over label values, `multi` with All. */
  public variable(name: string, label: string, query: string): this {
    this.builder.withVariable(
      new QueryVariableBuilder(name).label(label).query({ qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' }).definition(query).datasource(DS).refresh(VariableRefresh.OnTimeRangeChanged).multi(true).includeAll(true).allValue('.*'),
    );
    return this;
  }

  private target(expr: string, legend: string, refId: string, instant: boolean): DataqueryBuilder {
    const q = new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DS);
    return instant ? q.instant() : q.range();
  }

  /** A time series panel. */
  public series(title: string, unit: string, queries: Array<[expr: string, legend: string]>, width = 12, stacked = false, colours: Readonly<Record<string, string>> = {}): this {
    const p = new timeseries.PanelBuilder().title(title).unit(unit).datasource(DS).span(width).height(8).fillOpacity(stacked ? 40 : 10);
    if (stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
    // Fixed colours per series name (a regular expression over the legend), e.g. measured vs estimated power.
    for (const [pattern, colour] of Object.entries(colours)) p.overrideByRegexp(pattern, [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }]);
    queries.forEach(([expr, legend], i) => p.withTarget(this.target(expr, legend, String.fromCharCode(65 + i), false)));
    this.builder.withPanel(p);
    this.panels.push({ title, unit, queries: queries.map(([e]) => e) });
    return this;
  }

  /** A single-value panel (the last value). */
  public value(title: string, unit: string, expr: string, width = 6, decimals?: number): this {
    const p = new stat.PanelBuilder().title(title).unit(unit).datasource(DS).span(width).height(5).graphMode(common.BigValueGraphMode.Area).reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
    if (decimals !== undefined) p.decimals(decimals);
    p.withTarget(this.target(expr, title, 'A', false));
    this.builder.withPanel(p);
    this.panels.push({ title, unit, queries: [expr] });
    return this;
  }

  /** A table of the last value of each series (an instant query), its labels as columns, sorted by value. */
  public table(title: string, expr: string, width = 24): this {
    const p = new table.PanelBuilder()
      .title(title)
      .datasource(DS)
      .span(width)
      .height(9)
      .withTarget(new DataqueryBuilder().expr(expr).refId('A').datasource(DS).instant().format(PromQueryFormat.Table))
      .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } })
      .sortBy([new common.TableSortByFieldStateBuilder().displayName('Value').desc(true)]);
    this.builder.withPanel(p);
    this.panels.push({ title, unit: 'table', queries: [expr] });
    return this;
  }
}
