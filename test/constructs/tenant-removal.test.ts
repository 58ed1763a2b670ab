// Removing a tenant from code while its last output holds claims would delete its data with the
// next apply (and the GitOps tool's prune): the synthesis refuses it, names the claims and says to
// offboard first; offboarding keeps the namespace and claims; removal on purpose is explicit.
import * as fs from 'fs';
import * as path from 'path';
import { readTree, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { SaaSApp, SaaSAppProps, SaaSOffering } from '../../src/constructs';
import { SaaSplaneError, TenantOptions, TenantState } from '../../src/core';

function synth(outdir: string, initech: TenantOptions | undefined, props: SaaSAppProps = {}): void {
  const app = new SaaSApp({ outdir, ...props });
  const offering = new SaaSOffering(app, 'shop', shop);
  offering.addTenant('acme', { plan: 'small', parameters: { ingress: { host: 'acme.shop.example.com' } } });
  if (initech) offering.addTenant('initech', initech);
  app.synth();
}

describe('removing a tenant that has data', () => {
  const initech: TenantOptions = { plan: 'small', parameters: { ingress: { host: 'initech.shop.example.com' } } };
  let outdir: string;
  beforeEach(() => {
    outdir = tempDir();
    synth(outdir, initech);
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('is refused, naming its claims and the fix, and nothing is written', () => {
    const before = readTree(outdir);
    let error: unknown;
    try {
      synth(outdir, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SaaSplaneError);
    expect((error as SaaSplaneError).problems).toEqual([
      'tenant "initech" of offering "shop" is no longer in the code, but its last output holds the claims data-initech-db-0, '
      + 'data (template of StatefulSet initech-db): offboard it first (state: TenantState.OFFBOARDED, deleteAfter: "YYYY-MM-DD"), '
      + 'which keeps its namespace and claims; or, to delete its data with it, list "shop/initech" in SaaSApp\'s removeTenantsWithData',
    ]);
    expect(readTree(outdir)).toEqual(before);
  });

  test('offboarding first keeps its namespace and claims; removing it after that is still refused while the claims are in the output', () => {
    synth(outdir, { ...initech, state: TenantState.OFFBOARDED, deleteAfter: '2027-03-31' });
    const files = [...readTree(outdir).keys()].filter((f) => f.startsWith(path.join('shop', 'initech'))).sort();
    expect(files.map((f) => path.basename(f))).toEqual(['00-namespace.yaml', '10-guardrails.yaml', '25-claims.yaml']);
    expect(() => synth(outdir, undefined)).toThrow(/tenant "initech" of offering "shop" is no longer in the code, but its last output holds the claims data-initech-db-0:/);
  });

  test('is done when listed in removeTenantsWithData', () => {
    synth(outdir, undefined, { removeTenantsWithData: ['shop/initech'] });
    expect([...readTree(outdir).keys()].some((f) => f.includes('initech'))).toBe(false);
  });

  test('an entry of removeTenantsWithData naming a tenant of the app is refused: left over, it would leave that tenant unguarded', () => {
    const before = readTree(outdir);
    expect(() => synth(outdir, initech, { removeTenantsWithData: ['shop/initech'] }))
      .toThrow('"shop/initech" is a tenant of the app: remove it from removeTenantsWithData');
    expect(readTree(outdir)).toEqual(before);
  });
});
