import { NameClaims } from '../../src/core/name-claims';

const TAIL = ': namespaces and hosts must be unique across offerings; rename the offering or the tenant, or change the Ingress host';

describe('NameClaims', () => {
  it('has no conflicts before anything is claimed', () => {
    expect(new NameClaims().conflicts(['namespace "shop-a-x"', 'host "x.shop.example.com"'], 'tenant "a-x" of offering "shop"')).toEqual([]);
  });

  it('fails when another owner claimed a name first, naming the name and its first owner', () => {
    const claims = new NameClaims();
    claims.claim(['namespace "shop-a-x"', 'host "x.example.com"'], 'tenant "a-x" of offering "shop"');
    expect(claims.conflicts(['namespace "shop-a-x"', 'namespace "shop-a-y"', 'host "x.example.com"'], 'tenant "x" of offering "shop-a"')).toEqual([
      `namespace "shop-a-x" is already used by tenant "a-x" of offering "shop"${TAIL}`,
      `host "x.example.com" is already used by tenant "a-x" of offering "shop"${TAIL}`,
    ]);
  });

  it('lets an owner claim its own names again', () => {
    const claims = new NameClaims();
    claims.claim(['namespace "shop-acme"'], 'tenant "acme" of offering "shop"');
    expect(claims.conflicts(['namespace "shop-acme"'], 'tenant "acme" of offering "shop"')).toEqual([]);
  });

  it('keeps the claims of each instance apart', () => {
    const first = new NameClaims();
    first.claim(['namespace "shop-acme"'], 'one');
    expect(new NameClaims().conflicts(['namespace "shop-acme"'], 'two')).toEqual([]);
    expect(first.conflicts(['namespace "shop-acme"'], 'two')).toHaveLength(1);
  });

  it('compares whole names only', () => {
    const claims = new NameClaims();
    claims.claim(['host "acme.example.com"'], 'one');
    expect(claims.conflicts(['host "acme.example.co"', 'host "cme.example.com"'], 'two')).toEqual([]);
  });

  it('records the latest owner when a name is claimed again without a conflict check', () => {
    const claims = new NameClaims();
    claims.claim(['namespace "n"'], 'one');
    claims.claim(['namespace "n"'], 'two');
    expect(claims.conflicts(['namespace "n"'], 'three')).toEqual([`namespace "n" is already used by two${TAIL}`]);
    expect(claims.conflicts(['namespace "n"'], 'two')).toEqual([]);
  });
});
