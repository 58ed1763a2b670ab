import { OfferingMembers } from '../../src/core/offering-members';

const hostTaken = (host: string, owner: string, name: string) =>
  `Ingress host "${host}" is already served by tenant "${owner}": each tenant needs its own host; set its ingress host parameter, e.g. "${name}.<domain>"`;

function members() {
  const bindings: string[] = [];
  const m = new OfferingMembers<string, string>((provider, tenant) => bindings.push(`${provider}->${tenant}`));
  return { m, bindings };
}

describe('OfferingMembers', () => {
  it('binds each provider in each tenant exactly once, whichever was added first', () => {
    const { m, bindings } = members();
    m.addTenant('T1', 'acme');
    m.addProvider('P1');
    m.addTenant('T2', 'globex');
    m.addProvider('P2');
    expect([...bindings].sort()).toEqual(['P1->T1', 'P1->T2', 'P2->T1', 'P2->T2']);
    expect(bindings).toHaveLength(4);
  });

  it('lists tenants, their names and providers in the order added, as copies', () => {
    const { m } = members();
    m.addTenant('T1', 'acme');
    m.addTenant('T2', 'globex');
    m.addProvider('P1');
    expect(m.tenants).toEqual(['T1', 'T2']);
    expect([...m.tenantNames]).toEqual(['acme', 'globex']);
    expect(m.providers).toEqual(['P1']);
    (m.tenants as string[]).push('X');
    (m.providers as string[]).push('Y');
    expect(m.tenants).toEqual(['T1', 'T2']);
    expect(m.providers).toEqual(['P1']);
  });

  describe('hostProblems', () => {
    it('has no problems for new hosts, or without hosts', () => {
      const { m } = members();
      m.addTenant('T1', 'acme', ['acme.shop.example.com']);
      expect(m.hostProblems('globex', ['globex.shop.example.com'])).toEqual([]);
      expect(m.hostProblems('globex', [])).toEqual([]);
    });

    it('fails when another tenant already serves a host, naming host and tenant', () => {
      const { m } = members();
      m.addTenant('T1', 'acme', ['acme.shop.example.com', 'www.shop.example.com']);
      m.addTenant('T2', 'globex', ['globex.shop.example.com']);
      expect(m.hostProblems('initech', ['www.shop.example.com', 'initech.shop.example.com', 'globex.shop.example.com'])).toEqual([
        hostTaken('www.shop.example.com', 'acme', 'initech'),
        hostTaken('globex.shop.example.com', 'globex', 'initech'),
      ]);
    });

    it("accepts a tenant's own hosts", () => {
      const { m } = members();
      m.addTenant('T1', 'acme', ['acme.shop.example.com']);
      expect(m.hostProblems('acme', ['acme.shop.example.com'])).toEqual([]);
    });

    it('compares whole host names', () => {
      const { m } = members();
      m.addTenant('T1', 'acme', ['acme.shop.example.com']);
      expect(m.hostProblems('globex', ['acme.shop.example.co', 'x.acme.shop.example.com'])).toEqual([]);
    });

    it('records no hosts for a tenant added without them', () => {
      const { m } = members();
      m.addTenant('T1', 'acme');
      expect(m.hostProblems('globex', ['acme.shop.example.com'])).toEqual([]);
    });
  });
});
