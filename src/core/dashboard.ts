// A Grafana dashboard per offering, generated from its plans: per-tenant consumption, cost by the
// plans' prices and quota utilisation, all read from the offering's recording rules. It ships as a
// ConfigMap labelled for Grafana's dashboard sidecar (`grafana_dashboard: "1"` by default).
import type { KubeObject } from './kube';
import type { OfferingSpec } from './model';
import { offeringLabels, providerNamespace } from './names';
import { CONSUMPTION_SERIES, PLAN_PRICE_SERIES } from './plan-offering';
import { QUOTA_UTILISATION } from './quota-rules';
import { HOURS_PER_MONTH } from './usage';

/** The labels Grafana's dashboard sidecar looks for by default. */
export const DEFAULT_DASHBOARD_LABELS: Readonly<Record<string, string>> = { grafana_dashboard: '1' };

/** A Prometheus query of a panel (a type, not an interface: Grafana's schema takes targets as records). */
export type DashboardTarget = {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
};

/** A panel, as Grafana's dashboard schema describes it (the fields this dashboard uses). */
export interface DashboardPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'bargauge';
  readonly title: string;
  readonly description: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
  readonly targets: DashboardTarget[];
  readonly fieldConfig: { readonly defaults: { readonly unit: string; readonly min?: number; readonly max?: number }; readonly overrides: never[] };
  readonly options: Record<string, unknown>;
}

/** A template variable (the fields this dashboard uses). */
export interface DashboardVariable {
  readonly name: string;
  readonly label: string;
  readonly type: 'datasource' | 'query';
  readonly query: string;
  readonly datasource?: { readonly type: 'prometheus'; readonly uid: string };
  /** 2: on time range change. */
  readonly refresh?: 2;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
}

/** The dashboard, as Grafana's dashboard schema describes it (the fields this dashboard uses). */
export interface OfferingDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: string[];
  readonly timezone: string;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly schemaVersion: number;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly templating: { readonly list: DashboardVariable[] };
  readonly panels: DashboardPanel[];
}

const DATASOURCE = { type: 'prometheus' as const, uid: '${datasource}' };

/**
 * The hourly cost of each tenant by the recorded prices of its plan (`saasplane:plan_price`, as
 * `saasplane usage` reads them): the monthly fee and storage per hour of a 730-hour month, CPU and
 * memory as used. Undefined when no plan has a price.
 */
export function costPerHourExpr(offering: OfferingSpec): string | undefined {
  if (!Object.values(offering.plans).some((plan) => plan.price)) return undefined;
  const o = offering.name;
  const of = (series: string) => `sum by (tenant, plan) (${series}{offering="${o}", tenant=~"$tenant"})`;
  const price = (rate: string) => `max by (plan) (${PLAN_PRICE_SERIES}{offering="${o}", price="${rate}"})`;
  // a term with no series (no claim yet) must not hide the others: each missing one counts 0
  const term = (series: string, scale: string, rate: string) => `(${of(series)}${scale} * on (plan) group_left ${price(rate)} or ${of(CONSUMPTION_SERIES.info)} * 0)`;
  return `sum by (tenant) (${[
    term(CONSUMPTION_SERIES.info, ` / ${HOURS_PER_MONTH}`, 'monthly'),
    term(CONSUMPTION_SERIES.cpu, '', 'perCpuCoreHour'),
    term(CONSUMPTION_SERIES.memory, ' / 1073741824', 'perMemoryGiBHour'),
    term(CONSUMPTION_SERIES.storage, ` / 1073741824 / ${HOURS_PER_MONTH}`, 'perStorageGiBMonth'),
  ].join(' + ')})`;
}

/** The offering's dashboard. */
export function offeringDashboard(offering: OfferingSpec): OfferingDashboard {
  const o = offering.name;
  const currency = Object.values(offering.plans).find((p) => p.price)?.price?.currency;
  const perTenant = (series: string, scale = '') => `sum by (tenant) (${series}{offering="${o}", tenant=~"$tenant"})${scale}`;
  const specs: Array<{ title: string; description: string; unit: string; expr: string; legend?: string; type?: 'bargauge'; max?: number }> = [
    { title: 'CPU', description: 'CPU cores used per tenant (cAdvisor, 5m rate)', unit: 'none', expr: perTenant(CONSUMPTION_SERIES.cpu) },
    { title: 'Memory', description: 'Working-set memory per tenant', unit: 'bytes', expr: perTenant(CONSUMPTION_SERIES.memory) },
    { title: 'Storage requested', description: 'Storage the tenant\'s claims request', unit: 'bytes', expr: perTenant(CONSUMPTION_SERIES.storage) },
    { title: 'Network received', description: 'Bytes received per second per tenant', unit: 'Bps', expr: perTenant(CONSUMPTION_SERIES.networkReceive) },
    { title: 'Network transmitted', description: 'Bytes sent per second per tenant', unit: 'Bps', expr: perTenant(CONSUMPTION_SERIES.networkTransmit) },
    {
      title: 'Quota utilisation',
      description: 'Used / hard of each tenant quota resource; above 90% for 30 minutes raises SaaSplaneTenantQuotaNearLimit',
      unit: 'percentunit',
      expr: `max by (tenant, resource) (${QUOTA_UTILISATION}{offering="${o}", tenant=~"$tenant"})`,
      legend: '{{tenant}} {{resource}}',
      type: 'bargauge',
      max: 1,
    },
  ];
  const cost = costPerHourExpr(offering);
  if (cost && currency) {
    specs.push({ title: `Cost per hour (${currency})`, description: 'By each tenant\'s plan prices: the monthly fee and storage per hour, CPU and memory as used', unit: `currency${currency}`, expr: cost });
  }
  const panels: DashboardPanel[] = specs.map((spec, i) => ({
    id: i + 1,
    type: spec.type ?? 'timeseries',
    title: spec.title,
    description: spec.description,
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    datasource: DATASOURCE,
    targets: [{ refId: 'A', expr: spec.expr, legendFormat: spec.legend ?? '{{tenant}}', datasource: DATASOURCE }],
    fieldConfig: { defaults: { unit: spec.unit, ...(spec.max !== undefined ? { min: 0, max: spec.max } : {}) }, overrides: [] },
    options: spec.type === 'bargauge' ? { orientation: 'horizontal', displayMode: 'gradient' } : { legend: { displayMode: 'table', placement: 'right' } },
  }));
  return {
    uid: `saasplane-${o}`,
    title: `saasplane: ${o}`,
    description: `Consumption, cost and quota of the tenants of offering ${o}, from its recording rules`,
    tags: ['saasplane', o],
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    time: { from: 'now-7d', to: 'now' },
    refresh: '5m',
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' },
        {
          name: 'tenant',
          label: 'Tenant',
          type: 'query',
          datasource: DATASOURCE,
          query: `label_values(${CONSUMPTION_SERIES.info}{offering="${o}"}, tenant)`,
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: '.*',
        },
      ],
    },
    panels,
  };
}

/** The ConfigMap that carries the dashboard to Grafana's sidecar, in the offering's namespace. */
export function planDashboard(offering: OfferingSpec): KubeObject {
  const labels = offering.monitoring?.dashboardLabels ?? DEFAULT_DASHBOARD_LABELS;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `saasplane-${offering.name}-dashboard`, namespace: providerNamespace(offering.name), labels: { ...offeringLabels(offering.name), ...labels } },
    data: { [`saasplane-${offering.name}.json`]: `${JSON.stringify(offeringDashboard(offering), null, 2)}\n` },
  };
}
