// Quota utilisation per tenant and the signals a provider acts on: a tenant at the edge of its plan
// (an upsell, or a tenant about to be refused pods) and a tenant that has used almost nothing of
// its plan for a week (a smaller plan, or a tenant at risk). Read from kube-state-metrics'
// `kube_resourcequota` of the tenant quota, joined with the tenant's identity series.
import type { OfferingSpec } from './model';
import { RecordingRule, tenantIdentity } from './plan-offering';

/** The recorded utilisation: used / hard per tenant and quota resource (hard 0 and the quota's own count left out). */
export const QUOTA_UTILISATION = 'saasplane:tenant_quota_utilisation:ratio';

/** The alerts, and their thresholds. */
export const QUOTA_ALERTS = {
  nearLimit: { alert: 'SaaSplaneTenantQuotaNearLimit', above: 0.9, for: '30m' },
  underused: { alert: 'SaaSplaneTenantPlanUnderused', below: 0.1, over: '7d', for: '1h' },
} as const;

/** One alerting rule, as Prometheus takes it. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A group of recording and alerting rules. */
export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: Array<RecordingRule | AlertingRule>;
}

/** The quota group: the utilisation recording rule and the two alerts. */
export function quotaRuleGroups(offering: OfferingSpec): RuleGroup[] {
  const o = offering.name;
  // kube-state-metrics replicas report the same quota: max, not sum
  const quota = (type: string) => `max by (namespace, resource) (kube_resourcequota{resourcequota="tenant-quota", type="${type}", resource!="resourcequotas"})`;
  const { nearLimit, underused } = QUOTA_ALERTS;
  const week = '604800';
  return [{
    name: `saasplane-${o}-quota`,
    interval: '1m',
    rules: [
      {
        record: QUOTA_UTILISATION,
        expr: `(${quota('used')} / (${quota('hard')} > 0)) * on (namespace) group_left (offering, tenant, plan) ${tenantIdentity(o)}`,
      },
      {
        alert: nearLimit.alert,
        expr: `${QUOTA_UTILISATION}{offering="${o}"} > ${nearLimit.above}`,
        for: nearLimit.for,
        labels: { severity: 'warning', offering: o },
        annotations: {
          summary: `Tenant {{ $labels.tenant }} of offering ${o} uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota`,
          description: `Above ${nearLimit.above * 100}% for ${nearLimit.for} on plan {{ $labels.plan }}: the API server refuses what goes beyond the quota. `
            + 'Offer a larger plan, or raise the tenant\'s quota.',
        },
      },
      {
        // requests against the plan's CPU and memory, the highest of the week (hourly: a week of the
        // minute series is 10,080 samples a tenant), for a tenant a week old at least
        alert: underused.alert,
        expr: `max by (namespace, offering, tenant, plan) (max_over_time(${QUOTA_UTILISATION}{offering="${o}", resource=~"requests.cpu|requests.memory"}[${underused.over}:1h])) `
          + `< ${underused.below} and on (namespace) (time() - max by (namespace) (kube_namespace_created) > ${week})`,
        for: underused.for,
        labels: { severity: 'info', offering: o },
        annotations: {
          summary: `Tenant {{ $labels.tenant }} of offering ${o} has used under ${underused.below * 100}% of its plan {{ $labels.plan }} for ${underused.over}`,
          description: 'Its CPU and memory requests stayed below the threshold of its quota all week: offer a smaller plan, or check that the tenant is still active.',
        },
      },
    ],
  }];
}
