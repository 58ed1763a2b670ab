// Shared builders for the core unit tests: a small offering, resolved tenants and error capture.
// (Not a test file: jest only collects *.test.ts.)
import { ChartSource } from '../../src/core/chart-source';
import { SaaSplaneError } from '../../src/core/errors';
import type { LoadedChart } from '../../src/core/helm';
import type { KubeObject } from '../../src/core/kube';
import type { OfferingSpec, TenantSpec } from '../../src/core/model';
import { resolveTenant, ResolvedTenant, TenantContext } from '../../src/core/offering';

/** A chart reference that is never loaded: validateOffering and resolveTenant do not read it. */
export const FAKE_CHART_SOURCE = ChartSource.fromDirectory('/nonexistent');

/** A small valid offering with two plans; `overrides` replace top-level fields. */
export function offeringSpec(overrides: Partial<OfferingSpec> = {}): OfferingSpec {
  return {
    name: 'shop',
    chart: FAKE_CHART_SOURCE,
    plans: {
      small: { quota: { cpu: '2', memory: '4Gi' } },
      large: { quota: { cpu: '8', memory: '16Gi', storage: '100Gi' } },
    },
    ...overrides,
  };
}

/** Resolves a tenant (default: "acme" on "small") of `offering`. */
export function resolved(
  offering: OfferingSpec = offeringSpec(),
  spec: Partial<TenantSpec> = {},
  context: Partial<TenantContext> = {},
): ResolvedTenant {
  return resolveTenant(offering, { name: 'acme', plan: 'small', ...spec }, { existingTenants: [], ...context });
}

/** A LoadedChart that exists only in memory, for schema validation. */
export function fakeLoadedChart(fields: Partial<LoadedChart> = {}): LoadedChart {
  return {
    source: FAKE_CHART_SOURCE,
    directory: '/nonexistent',
    name: 'x',
    version: '1',
    defaults: {},
    digest: 'd',
    ...fields,
  };
}

/** Runs `fn`, expects it to throw a SaaSplaneError, and returns that error. */
export function captureError(fn: () => unknown): SaaSplaneError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SaaSplaneError);
    return e as SaaSplaneError;
  }
  throw new Error('expected a SaaSplaneError, but nothing was thrown');
}

/** Finds the object of `kind` (and `name`, when given); fails the test when absent. */
export function findObject<T = KubeObject>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) {
    throw new Error(`no ${kind}${name ? ` "${name}"` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found as unknown as T;
}
