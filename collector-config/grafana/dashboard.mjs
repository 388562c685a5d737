// @ts-check
// faultline's Grafana dashboard, typed against @grafana/schema (checked by `tsc` in npm test: a field
// Grafana does not know, a missing one, or a value of the wrong kind fails the check).
// `node scripts/generate-dashboard.mjs` writes faultline.json, the file Grafana loads
// (provisioning/dashboards/faultline.yaml); the metrics e2e runs every query here against the real
// Prometheus and Jaeger, and checks that faultline.json is what the generator writes.
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  DashboardCursorSync,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  TableCellHeight,
  TooltipDisplayMode,
  VizOrientation,
} from '@grafana/schema';

/** @typedef {{ type: string, uid: string }} DataSource */
/** @typedef {{ refId: string, datasource: DataSource, expr: string, legendFormat?: string, instant?: boolean }} PromQuery */
/** @typedef {{ refId: string, datasource: DataSource, queryType: 'search', service: string, operation: string, limit: number }} JaegerQuery */
/** @typedef {import('@grafana/schema').Panel['gridPos']} GridPos */

/** The data sources provisioning/datasources/faultline.yaml declares. */
const PROMETHEUS = { type: 'prometheus', uid: 'faultline-prometheus' };
const JAEGER = { type: 'jaeger', uid: 'faultline-jaeger' };
/** Every query filters on the dashboard's service and environment variables. */
const SCOPE = 'service_name=~"$service", deployment_environment_name=~"$environment"';

/** @returns {PromQuery} */
const prom = (refId, expr, legendFormat = '') => ({ refId, datasource: PROMETHEUS, expr, legendFormat });

/** What every panel starts with. */
const head = (id, type, title, gridPos, datasource, targets) => ({ id, type, title, gridPos, datasource, targets });

/** A multi-value variable over the values a label of faultline_exceptions_total takes. @returns {import('@grafana/schema').VariableModel} */
const labelVariable = (name, label, labelName, extra = {}) => ({
  name,
  label,
  type: 'query',
  datasource: PROMETHEUS,
  query: `label_values(faultline_exceptions_total, ${labelName})`,
  refresh: 2,
  includeAll: true,
  multi: true,
  ...extra,
  current: { text: 'All', value: '$__all' },
});

/** A time series panel of Prometheus queries. @returns {import('@grafana/schema').Panel<import('@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen').Options>} */
const timeseries = (id, title, gridPos, targets, unit = 'short') => ({
  ...head(id, 'timeseries', title, gridPos, PROMETHEUS, targets),
  fieldConfig: { defaults: { unit }, overrides: [] },
  options: {
    legend: { displayMode: LegendDisplayMode.Table, placement: 'right', showLegend: true, calcs: ['max', 'last'] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  },
});

/** A single-value panel. @returns {import('@grafana/schema').Panel<import('@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen').Options>} */
const stat = (id, title, gridPos, targets) => ({
  ...head(id, 'stat', title, gridPos, PROMETHEUS, targets),
  fieldConfig: { defaults: { unit: 'short', decimals: 0 }, overrides: [] },
  options: {
    orientation: VizOrientation.Auto,
    reduceOptions: { calcs: ['lastNotNull'], values: false },
    colorMode: BigValueColorMode.Background,
    graphMode: BigValueGraphMode.None,
    justifyMode: BigValueJustifyMode.Auto,
    textMode: BigValueTextMode.ValueAndName,
    showPercentChange: false,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    wideLayout: true,
  },
});

/** A table panel. @returns {import('@grafana/schema').Panel<import('@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen').Options>} */
const table = (id, title, gridPos, datasource, targets) => ({
  ...head(id, 'table', title, gridPos, datasource, targets),
  fieldConfig: { defaults: { decimals: 0 }, overrides: [] },
  options: { showHeader: true, cellHeight: TableCellHeight.Sm, frameIndex: 0 },
});

/** @type {import('@grafana/schema').Dashboard} */
export const dashboard = {
  uid: 'faultline-errors',
  title: 'faultline: errors',
  description: 'Error rates, top errors, crashes and releases from the collector (faultline_exceptions_total).',
  tags: ['faultline', 'errors'],
  editable: true,
  graphTooltip: DashboardCursorSync.Crosshair,
  schemaVersion: 39,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      labelVariable('service', 'Service', 'service_name'),
      labelVariable('environment', 'Environment', 'deployment_environment_name', { allValue: '.*' }),
    ],
  },
  panels: [
    timeseries(
      1,
      'Error rate per service',
      { x: 0, y: 0, w: 16, h: 8 },
      [
        prom(
          'A',
          `sum by (service_name) (rate(faultline_exceptions_total{${SCOPE}}[$__rate_interval]))`,
          '{{service_name}}',
        ),
      ],
      'reqps',
    ),
    stat(2, 'Crashes (fatal)', { x: 16, y: 0, w: 8, h: 8 }, [
      prom(
        'A',
        `sum by (service_name) (increase(faultline_exceptions_total{${SCOPE}, faultline_severity="fatal"}[$__range]))`,
        '{{service_name}}',
      ),
    ]),
    table(3, 'Top 10 errors (by fingerprint)', { x: 0, y: 8, w: 12, h: 9 }, PROMETHEUS, [
      {
        ...prom(
          'A',
          'topk(10, sum by (exported_job, error_type, faultline_fingerprint) (increase(faultline_exceptions_by_fingerprint_total{exported_job=~"$service"}[$__range])))',
        ),
        instant: true,
      },
    ]),
    timeseries(
      4,
      'Errors by release',
      { x: 12, y: 8, w: 12, h: 9 },
      [
        prom(
          'A',
          `sum by (service_version) (rate(faultline_exceptions_total{${SCOPE}}[$__rate_interval]))`,
          '{{service_version}}',
        ),
      ],
      'reqps',
    ),
    timeseries(
      5,
      'Errors by category (transient or not)',
      { x: 0, y: 17, w: 12, h: 8 },
      [
        prom(
          'A',
          `sum by (faultline_category, faultline_transient) (rate(faultline_exceptions_total{${SCOPE}}[$__rate_interval]))`,
          '{{faultline_category}} transient={{faultline_transient}}',
        ),
      ],
      'reqps',
    ),
    timeseries(6, 'Firing alerts', { x: 12, y: 17, w: 12, h: 8 }, [
      prom(
        'A',
        'sum by (alertname, service_name) (ALERTS{alertname=~"Faultline.*", alertstate="firing"})',
        '{{alertname}} {{service_name}}',
      ),
    ]),
    table(7, 'Latest exceptions (Jaeger)', { x: 0, y: 25, w: 24, h: 9 }, JAEGER, [
      /** @type {JaegerQuery} */ ({
        refId: 'A',
        datasource: JAEGER,
        queryType: 'search',
        service: '$service',
        operation: 'exception',
        limit: 20,
      }),
    ]),
  ],
};
