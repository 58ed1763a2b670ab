// The printed forms of a usage report: an aligned table for people, CSV for spreadsheets, JSON for
// billing scripts (field names are a contract), and FinOps FOCUS 1.2 rows for billing systems.
import { tableLines } from './command';
import { LABEL_OFFERING, LABEL_PLAN, LABEL_TENANT, tenantNamespace } from '../core/names';
import { Consumption, Cost, feeMonths, PlanUsage, TenantUsage, UsageReport } from '../core/usage';

const amount = (n: number) => n.toFixed(2);

/** The table: one line per tenant, a total line, then the currency and period. */
export function usageTable(report: UsageReport): string {
  const header = ['TENANT', 'PLANS', 'ACTIVE DAYS', 'CPU CORE-H', 'MEMORY GIB-H', 'STORAGE GIB-MO', 'NET RX GB', 'NET TX GB', 'FEE', 'USAGE', 'TOTAL'];
  const row = (name: string, plans: string, c: Consumption & { cost: Cost }) => [
    name, plans, amount(c.activeDays), amount(c.cpuCoreHours), amount(c.memoryGiBHours), amount(c.storageGiBMonths),
    amount(c.networkReceiveGB), amount(c.networkTransmitGB), amount(c.cost.fee), amount(c.cost.usage), amount(c.cost.total),
  ];
  const rows = report.tenants.map((t) => row(t.tenant, t.plans.join(','), t));
  const lines = tableLines(header, [...rows, row('TOTAL', '', report.total)]);
  return `${lines.join('\n')}\n\noffering ${report.offering}, ${report.from.toISOString()} to ${report.to.toISOString()}`
    + `${report.currency ? `, costs in ${report.currency}` : ', no plan has a recorded price'}\n`;
}

/** Numbers in JSON and CSV: rounded to 1e-9 (sums of floats carry noise below that). */
function exact(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

function rounded<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? exact(v) : v))) as T;
}

/** The JSON: `{ offering, from, to, currency, tenants: [...], total, warnings }`, times in RFC 3339. */
export function usageJson(report: UsageReport): string {
  return `${JSON.stringify(rounded(report), null, 2)}\n`;
}

/** A CSV field, quoted when it must be (RFC 4180). */
function field(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? decimal(value) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number at full precision without an exponent (FOCUS: ListUnitPrice × PricingQuantity = ListCost must hold). */
function decimal(n: number): string {
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(20).replace(/\.?0+$/, '') : text;
}

function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** The CSV: one row per tenant (plans separated by spaces), the same names as the JSON. */
export function usageCsv(report: UsageReport): string {
  const header = ['tenant', 'plans', 'activeDays', 'cpuCoreHours', 'memoryGiBHours', 'storageGiBMonths', 'networkReceiveGB', 'networkTransmitGB',
    'fee', 'usage', 'total', 'currency'];
  return csv(header, rounded(report.tenants).map((t) => [
    t.tenant, t.plans.join(' '), t.activeDays, t.cpuCoreHours, t.memoryGiBHours, t.storageGiBMonths, t.networkReceiveGB, t.networkTransmitGB,
    t.cost.fee, t.cost.usage, t.cost.total, t.cost.currency,
  ]));
}

/** FOCUS 1.2 columns: the mandatory ones and the conditional ones a provider with unit prices, resources and tags must add. */
export const FOCUS_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory', 'ChargeClass',
  'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart', 'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost',
  'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity', 'PricingUnit',
  'ProviderName', 'PublisherName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory', 'ServiceName', 'SkuId', 'SkuPriceId',
  'SubAccountId', 'SubAccountName', 'Tags',
] as const;

/** The charges of a plan part: the fee, then each usage charge, with the FOCUS unit and the price field that rates it. */
const CHARGES = [
  { charge: 'monthly fee', rate: 'monthly', unit: 'Months', usage: false },
  { charge: 'CPU', rate: 'perCpuCoreHour', unit: 'Core-Hours', usage: true, measure: 'cpuCoreHours' },
  { charge: 'memory', rate: 'perMemoryGiBHour', unit: 'GiB-Hours', usage: true, measure: 'memoryGiBHours' },
  { charge: 'storage requested', rate: 'perStorageGiBMonth', unit: 'GiB-Months', usage: true, measure: 'storageGiBMonths' },
  { charge: 'network received', rate: undefined, unit: 'GB', usage: true, measure: 'networkReceiveGB' },
  { charge: 'network transmitted', rate: undefined, unit: 'GB', usage: true, measure: 'networkTransmitGB' },
] as const;

/** Who issues the invoice, in the FOCUS rows. @default the offering's name */
export interface FocusOptions {
  readonly providerName?: string;
}

/**
 * FOCUS 1.2 rows as CSV: one per tenant, plan, period bucket and charge with a quantity. The fee is
 * a recurring purchase priced in months (active days × 24 / 730, feeMonths); usage charges are usage-based,
 * consumed and priced in the same unit. No discounts: list, contracted, effective and billed costs
 * are equal. Null is an empty field.
 */
export function usageFocusCsv(report: UsageReport, options: FocusOptions = {}): string {
  if (!report.currency) {
    throw new Error(`no plan of offering "${report.offering}" has a recorded price: FOCUS rows need a billing currency; give the plans a price`);
  }
  if (report.warnings.length > 0) {
    // a FOCUS row of unpriced usage would read as free usage in a billing system
    throw new Error(`FOCUS rows would show unpriced usage as free:\n${report.warnings.join('\n')}`);
  }
  const provider = options.providerName ?? report.offering;
  const time = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const rows: Array<Array<string | number | null>> = [];
  for (const tenant of report.tenants) {
    for (const period of tenant.periods) {
      for (const part of period.byPlan) {
        for (const charge of CHARGES) rows.push(...focusRow(report, tenant, period, part, charge, provider, time));
      }
    }
  }
  return csv(FOCUS_COLUMNS, rows);
}

function focusRow(
  report: UsageReport, tenant: TenantUsage, period: { start: Date; end: Date }, part: PlanUsage, charge: typeof CHARGES[number],
  provider: string, time: (d: Date) => string,
): Array<Array<string | number | null>> {
  const quantity = charge.usage ? part[charge.measure] : feeMonths(part);
  const unitPrice = unitPriceOf(part, charge);
  if (!(quantity > 0)) return [];
  const cost = quantity * unitPrice;
  const namespace = tenantNamespace(report.offering, tenant.tenant);
  const values: Record<typeof FOCUS_COLUMNS[number], string | number | null> = {
    BilledCost: cost,
    BillingAccountId: tenant.tenant,
    BillingAccountName: tenant.tenant,
    BillingCurrency: report.currency,
    BillingPeriodEnd: time(report.to),
    BillingPeriodStart: time(report.from),
    ChargeCategory: charge.usage ? 'Usage' : 'Purchase',
    ChargeClass: null,
    ChargeDescription: `${report.offering} plan ${part.plan}: ${charge.charge}`,
    ChargeFrequency: charge.usage ? 'Usage-Based' : 'Recurring',
    ChargePeriodEnd: time(period.end),
    ChargePeriodStart: time(period.start),
    ConsumedQuantity: charge.usage ? quantity : null,
    ConsumedUnit: charge.usage ? charge.unit : null,
    ContractedCost: cost,
    ContractedUnitPrice: unitPrice,
    EffectiveCost: cost,
    InvoiceIssuerName: provider,
    ListCost: cost,
    ListUnitPrice: unitPrice,
    PricingCategory: 'Standard',
    PricingQuantity: quantity,
    PricingUnit: charge.unit,
    ProviderName: provider,
    PublisherName: provider,
    ResourceId: namespace,
    ResourceName: tenant.tenant,
    ResourceType: 'Tenant Instance',
    ServiceCategory: 'Other',
    ServiceName: report.offering,
    SkuId: `${report.offering}/${part.plan}`,
    SkuPriceId: `${report.offering}/${part.plan}/${charge.rate ?? charge.measure}`,
    SubAccountId: namespace,
    SubAccountName: namespace,
    Tags: JSON.stringify({ [LABEL_OFFERING]: report.offering, [LABEL_TENANT]: tenant.tenant, [LABEL_PLAN]: part.plan }),
  };
  return [FOCUS_COLUMNS.map((c) => values[c])];
}

/** The unit price of a charge in a period: the plan's recorded price for its rate; network is not priced. */
function unitPriceOf(part: PlanUsage, charge: typeof CHARGES[number]): number {
  return charge.rate ? part.price?.[charge.rate] ?? 0 : 0;
}
