// The blast radius of a rollout before any wave is promoted: every tenant the rollout would move is
// resolved against the new chart (its values.schema.json), rendered and planned, and its objects
// compared with what it runs now. A tenant whose values the new version refuses is blocked, by name
// and with the reason; one whose objects need a replacement is listed with each object's reason.
import { ChannelCharts } from './channels';
import { diffObjects, GroupDiff, refText } from './diff';
import { SaaSplaneError } from './errors';
import { ChartRenderer } from './helm';
import type { OfferingSpec, TenantSpec } from './model';
import { ResolvedTenant, resolveTenant } from './offering';
import { planTenant } from './plan';
import { renderTenantCharts } from './plan-tenant';
import { ObjectTransform } from './transform';

/** The environment variable that asks a SaaSApp's `synth()` for its upgrade plans (a file to write them to) instead of its output. */
export const UPGRADE_PLAN_ENV = 'SAASPLANE_UPGRADE_PLAN';

/** A channel and the chart version it holds. */
export interface ChannelVersion {
  readonly channel: string;
  readonly version: string;
}

/**
 * Where a tenant stands in the rollout: `upgraded` (its wave is promoted), `ready` (its wave is not,
 * and the new version takes its values), `blocked` (the new version refuses its values or its
 * objects), `pinned` (it names its own channel: no rollout moves it), `unchanged` (it already runs
 * the rollout's channel, or is in no wave).
 */
export type UpgradeStatus = 'upgraded' | 'ready' | 'blocked' | 'pinned' | 'unchanged';

export interface TenantUpgrade {
  readonly tenant: string;
  readonly plan: string;
  /** 1-based; absent for a tenant in no wave. */
  readonly wave?: number;
  readonly from: ChannelVersion;
  readonly to: ChannelVersion;
  readonly status: UpgradeStatus;
  /** Objects the move changes, adds and removes (ready tenants). */
  readonly changes?: { readonly changed: number; readonly added: number; readonly removed: number };
  /** Field paths the move changes, each once, across the tenant's objects. */
  readonly fields?: readonly string[];
  /** Objects that cannot change in place or lose data, each with the reason. */
  readonly replacements: readonly string[];
  /** Why the tenant is blocked. */
  readonly problems: readonly string[];
}

export interface WaveUpgrade {
  readonly wave: number;
  /** The tenant and plan names the wave was declared with. */
  readonly members: readonly string[];
  /** Members that name neither a tenant nor a plan (a typo moves nobody). */
  readonly unknown: readonly string[];
  readonly promoted: boolean;
  readonly tenants: readonly TenantUpgrade[];
}

export interface UpgradePlan {
  readonly offering: string;
  /** The channel the rollout moves tenants to, and its version. */
  readonly target: ChannelVersion;
  readonly promoted: number;
  readonly waves: readonly WaveUpgrade[];
  /** Tenants in no wave: the rollout never moves them. */
  readonly outside: readonly TenantUpgrade[];
  readonly summary: { readonly upgraded: number; readonly ready: number; readonly blocked: number; readonly replacements: number };
}

export interface UpgradePlanInput {
  /** A validated offering with a rollout. */
  readonly offering: OfferingSpec;
  /** Its tenants as declared. */
  readonly tenants: readonly TenantSpec[];
  readonly charts: ChannelCharts;
  readonly renderer: ChartRenderer;
  readonly transform?: ObjectTransform;
}

/** The upgrade plan of an offering's rollout; throws when the offering declares none. */
export function planUpgrade(input: UpgradePlanInput): UpgradePlan {
  const { offering, charts } = input;
  const rollout = offering.rollout;
  if (!rollout) {
    throw new SaaSplaneError(`offering "${offering.name}" has no rollout`, ['declare one: rollout: { channel: "canary", waves: [["internal"], ["small"]] }']);
  }
  const versionOf = (channel: string): ChannelVersion => ({ channel, version: charts[channel]?.version ?? '?' });
  const moving: Array<{ current: ResolvedTenant; target: ResolvedTenant; at: number }> = [];
  const upgrades: TenantUpgrade[] = input.tenants.map((spec, at) => {
    const current = resolveTenant(offering, spec, { charts, existingTenants: [] });
    const { release } = current;
    const wave = release.wave !== undefined ? { wave: release.wave } : {};
    const base = { tenant: spec.name, plan: spec.plan, ...wave, from: versionOf(release.channel) };
    let target: ResolvedTenant;
    try {
      target = resolveTenant(offering, spec, { charts, existingTenants: [], promoteAll: true });
    } catch (e) {
      if (!(e instanceof SaaSplaneError)) throw e;
      return { ...base, to: versionOf(rollout.channel), status: 'blocked', replacements: [], problems: e.problems };
    }
    const to = versionOf(target.release.channel);
    if (release.pinned) return { ...base, to, status: 'pinned', replacements: [], problems: [] };
    if (target.release.channel === release.channel) {
      const upgraded = release.wave !== undefined && release.promoted && release.channel === rollout.channel;
      return { ...base, to, status: upgraded ? 'upgraded' : 'unchanged', replacements: [], problems: [] };
    }
    moving.push({ current, target, at });
    return { ...base, to, status: 'ready', replacements: [], problems: [] };
  });
  // one render batch for every tenant that moves: as it runs now, and on the new version
  const outcomes = renderTenantCharts(moving.flatMap((m) => [m.current, m.target]), charts, input.renderer, input.transform);
  moving.forEach(({ current, target, at }, i) => {
    const [now, next] = [outcomes[2 * i], outcomes[2 * i + 1]];
    if ('error' in next) {
      upgrades[at] = { ...upgrades[at], status: 'blocked', problems: next.error.problems };
      return;
    }
    if ('error' in now) {
      upgrades[at] = { ...upgrades[at], status: 'blocked', problems: now.error.problems.map((p) => `as it runs now: ${p}`) };
      return;
    }
    const objects = (tenant: ResolvedTenant, chartObjects: typeof next.objects) => planTenant(tenant, chartObjects, input.transform)
      .map(({ object }) => ({ object }));
    const [group] = diffObjects(objects(current, now.objects), objects(target, next.objects)).groups as Array<GroupDiff | undefined>;
    const replacements = (group?.destructive ?? []).map((d) => (d.object ? `${refText(d.object)}: ${d.reason}` : d.reason));
    upgrades[at] = {
      ...upgrades[at],
      changes: { changed: group?.changed.length ?? 0, added: group?.added.length ?? 0, removed: group?.removed.length ?? 0 },
      fields: [...new Set((group?.changed ?? []).flatMap((c) => c.fields.map((f) => f.path)))],
      replacements,
    };
  });
  const promoted = rollout.promoted ?? 0;
  const names = new Set([...Object.keys(offering.plans), ...input.tenants.map((t) => t.name)]);
  const waves = rollout.waves.map((members, i) => ({
    wave: i + 1, members, unknown: members.filter((m) => !names.has(m)), promoted: i < promoted, tenants: upgrades.filter((u) => u.wave === i + 1),
  }));
  const count = (status: UpgradeStatus) => upgrades.filter((u) => u.status === status).length;
  return {
    offering: offering.name,
    target: versionOf(rollout.channel),
    promoted,
    waves,
    outside: upgrades.filter((u) => u.wave === undefined),
    summary: {
      upgraded: count('upgraded'), ready: count('ready'), blocked: count('blocked'), replacements: upgrades.filter((u) => u.replacements.length > 0).length,
    },
  };
}

/** The plan for people: per wave, each tenant's move and what it changes; blocked tenants and replacements first within a wave. */
export function formatUpgradePlan(plan: UpgradePlan): string {
  const lines = [`offering ${plan.offering}: rollout of channel ${plan.target.channel} (${plan.target.version}), ${plan.promoted} of ${plan.waves.length} waves promoted`];
  const line = (u: TenantUpgrade) => {
    const move = u.from.channel === u.to.channel ? `${u.from.channel} ${u.from.version}` : `${u.from.channel} ${u.from.version} → ${u.to.channel} ${u.to.version}`;
    const what = u.status === 'ready' && u.changes
      ? `ready: ${u.changes.changed} changed, ${u.changes.added} added, ${u.changes.removed} removed${u.replacements.length ? `; ${u.replacements.length} replaced` : ''}`
      : u.status === 'blocked' ? 'BLOCKED' : u.status;
    lines.push(`  ${u.tenant} (plan ${u.plan}): ${move}: ${what}`);
    for (const p of u.problems) lines.push(`    ! ${p}`);
    for (const r of u.replacements) lines.push(`    ! ${r}`);
    if (u.fields?.length) lines.push(`    fields: ${u.fields.slice(0, 8).join(', ')}${u.fields.length > 8 ? `, and ${u.fields.length - 8} more` : ''}`);
  };
  for (const wave of plan.waves) {
    lines.push(`wave ${wave.wave} [${wave.members.join(', ')}]${wave.promoted ? ' (promoted)' : ''}`);
    if (wave.unknown.length) lines.push(`  ! ${wave.unknown.map((m) => `"${m}"`).join(', ')} names no tenant and no plan`);
    if (wave.tenants.length === 0) lines.push('  (no tenant)');
    wave.tenants.forEach(line);
  }
  if (plan.outside.length) {
    lines.push('in no wave');
    plan.outside.forEach(line);
  }
  const s = plan.summary;
  lines.push('', `${s.upgraded} upgraded, ${s.ready} ready, ${s.blocked} blocked; ${s.replacements} with objects replaced`);
  return `${lines.join('\n')}\n`;
}
