// Issue 9 regressions: bad input to the public API gets a SaaSplaneError naming the value and the
// fix, never another error type, and a failed construction leaves the app usable.
import { exampleOffering, hosted } from './fixtures';
import { shop } from '../../examples/offering';
import { ConsumerAccess, ProviderAccess } from '../../src/constructs';
import { captureError } from '../core/fixtures';

describe('bad input gets a clear error', () => {
  test.each([['constructor'], ['toString'], ['hasOwnProperty'], ['valueOf']])('fails when the plan %s is an Object.prototype member, naming the plans', (plan) => {
    const { offering } = exampleOffering();
    expect(captureError(() => offering.addTenant('acme', hosted('acme', { plan }))).message)
      .toContain(`plan ${JSON.stringify(plan)} does not exist: choose one of "small", "large"`);
  });

  test('fails when parameters nest deeper than 64 levels, instead of overflowing the stack', () => {
    const { offering } = exampleOffering();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { theme: deep };
    expect(captureError(() => offering.addTenant('acme', { plan: 'small', parameters: deep })).message).toContain('parameters nest deeper than 64 levels');
  });

  test('fails when a parameter key holds a dotted path, saying how to nest it', () => {
    const { offering } = exampleOffering();
    const { problems } = captureError(() => offering.addTenant('acme', { plan: 'small', parameters: { 'ingress.host': 'acme.shop.example.com' } }));
    expect(problems[0]).toBe('parameter key "ingress.host" contains \'.\', which Helm reads as one key, not a path: write it nested, { ingress: { host: ... } }');
    expect(problems.join('\n')).not.toMatch(/is not one a tenant may set: allowed are .*"ingress.host"/);
  });

  test.each([
    ['a ConsumerAccess with the offering\'s id', (app: any, _offering: any, acme: any) => new ConsumerAccess(app, 'shop', { tenant: acme }), /consumer access "shop" cannot be added: the construct id "shop" is already used by shop/],
    ['two ConsumerAccess with one id', (app: any, _offering: any, acme: any) => {
      new ConsumerAccess(app, 'users', { tenant: acme });
      return new ConsumerAccess(app, 'users', { tenant: acme });
    }, /consumer access "users" cannot be added: the construct id "users" is already used by users/],
    ['two ProviderAccess with one id', (app: any, offering: any) => {
      new ProviderAccess(app, 'provider', { offering });
      return new ProviderAccess(app, 'provider', { offering });
    }, /provider access "provider" cannot be added/],
    ['a tenant named constructor', (_app: any, offering: any) => offering.addTenant('constructor', hosted('constructor', { plan: 'small' })),
      /tenant "constructor" cannot be added: the construct id "constructor" is the name of a JavaScript object member/],
  ])('fails with a clear error for %s', (_what, add, message) => {
    const { app, offering } = exampleOffering();
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(captureError(() => add(app, offering, acme)).message).toMatch(message);
  });

  test('a failed tenant leaves the offering usable: a corrected retry works', () => {
    const { app, offering } = exampleOffering();
    captureError(() => offering.addTenant('acme', hosted('acme', { plan: 'gold' })));
    const acme = offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    expect(acme.plan).toBe('small');
    expect(() => app.synthFiles()).not.toThrow();
    expect(shop.name).toBe('shop');
  });
});
