// The rollout example: offering "notes" holds two versions of its chart, channel stable (1.0.0)
// and canary (2.0.0, whose schema allows only the themes light and dark and whose Deployment
// selector changed), and rolls canary out in three waves. `saasplane upgrade-plan` previews it;
// promoting the next wave is the one-line change of `promoted`.
import * as path from 'path';
import type { Construct } from 'constructs';
import { SaaSApp, SaaSOffering } from '../../src/constructs';
import { ChartSource, OfferingSpec, RolloutSpec, TenantOptions } from '../../src/core';

export const CHARTS = path.join(__dirname, '..', 'charts');

/** The offering; `rollout` replaces fields of its rollout. */
export function notes(rollout: Partial<RolloutSpec> = {}): OfferingSpec {
  const quota = { cpu: '1', memory: '1Gi' };
  return {
    name: 'notes',
    chart: ChartSource.fromDirectory(path.join(CHARTS, 'notes', '1.0.0')),
    channels: { canary: ChartSource.fromDirectory(path.join(CHARTS, 'notes', '2.0.0')) },
    consumerParameters: ['theme'],
    plans: { small: { quota }, large: { quota }, trial: { quota } },
    rollout: { channel: 'canary', waves: [['internal'], ['small'], ['large']], promoted: 1, ...rollout },
  };
}

/** Its tenants: one per wave and more, one pinned to stable, one in no wave. */
export const TENANTS: Record<string, TenantOptions> = {
  internal: { plan: 'small' },
  acme: { plan: 'small', parameters: { theme: 'blue' } },
  initech: { plan: 'small', parameters: { theme: 'dark' } },
  pinned: { plan: 'small', channel: 'stable' },
  globex: { plan: 'large' },
  trialco: { plan: 'trial' },
};

/** Adds the offering and its tenants to `scope`. */
export function addNotes(scope: Construct, spec = notes(), tenants = TENANTS): SaaSOffering {
  const offering = new SaaSOffering(scope, 'notes', spec);
  for (const [name, options] of Object.entries(tenants)) offering.addTenant(name, options);
  return offering;
}

if (require.main === module) {
  const app = new SaaSApp();
  addNotes(app);
  app.synth();
}
