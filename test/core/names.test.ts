import fc from 'fast-check';
import {
  dnsLabelProblem, isDnsLabel, isDnsName, isInDomain, LABEL_MANAGED_BY, LABEL_OFFERING, LABEL_PLAN, LABEL_TENANT, MAX_NAMESPACE_LENGTH,
  MAX_OFFERING_NAME_LENGTH, MAX_RELEASE_NAME_LENGTH, maxTenantNameLength, offeringLabels, podLabels, providerNamespace, PSA_ENFORCE,
  RESERVED_TENANT_NAMES, RESERVED_TENANT_SUFFIX, tenantLabels, tenantNamespace,
} from '../../src/core/names';

/** RFC 1123 labels of 1 to 63 characters. */
const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
/** Offering names within the offering budget. */
const offeringName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/);

describe('isDnsLabel', () => {
  it.each(['a', '0', 'shop', 'a-b', 'a--b', '1st', 'x'.repeat(63)])('accepts %j', (value) => {
    expect(isDnsLabel(value)).toBe(true);
  });

  it.each(['', 'A', 'Shop', 'a_b', '-a', 'a-', 'a.b', 'a b', 'é', 'x'.repeat(64)])('rejects %j', (value) => {
    expect(isDnsLabel(value)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isDnsLabel(5)).toBe(false);
    expect(isDnsLabel(undefined)).toBe(false);
    expect(isDnsLabel(null)).toBe(false);
    expect(isDnsLabel(['a'])).toBe(false);
  });

  it('applies the maximum length', () => {
    expect(isDnsLabel('abcde', 5)).toBe(true);
    expect(isDnsLabel('abcdef', 5)).toBe(false);
  });

  describe('properties', () => {
    it('accepts any generated RFC 1123 label', () => {
      fc.assert(fc.property(dnsLabel, (label) => {
        expect(isDnsLabel(label)).toBe(true);
        expect(dnsLabelProblem('name', label, 63)).toBeUndefined();
      }));
    });

    it('rejects any label holding an uppercase letter or an underscore', () => {
      fc.assert(fc.property(dnsLabel, fc.nat(), fc.constantFrom(...'ABCXYZ_'), (label, at, bad) => {
        const position = at % (label.length + 1);
        const value = label.slice(0, position) + bad + label.slice(position);
        expect(isDnsLabel(value)).toBe(false);
      }));
    });

    it("rejects any label starting or ending with '-'", () => {
      fc.assert(fc.property(dnsLabel, (label) => {
        expect(isDnsLabel(`-${label}`)).toBe(false);
        expect(isDnsLabel(`${label}-`)).toBe(false);
      }));
    });
  });
});

describe('dnsLabelProblem', () => {
  it('returns undefined for a valid label', () => {
    expect(dnsLabelProblem('tenant name', 'acme', 63)).toBeUndefined();
  });

  it('fails when the value is not a label, naming what, the value, the rule and the budget', () => {
    const problem = dnsLabelProblem('tenant name', 'Acme_Corp', 40);
    expect(problem).toContain('tenant name');
    expect(problem).toContain('"Acme_Corp"');
    expect(problem).toContain('lowercase');
    expect(problem).toContain('at most 40 characters');
  });

  it('fails when the value is too long, and appends the reason', () => {
    const problem = dnsLabelProblem('tenant name', 'abcdef', 5, ' (because)');
    expect(problem).toContain('"abcdef"');
    expect(problem).toMatch(/at most 5 characters \(because\)$/);
  });
});

describe('isDnsName', () => {
  const label63 = 'x'.repeat(63);

  it.each(['a', 'shop.example.com', 'a-b.c-d', 'xn--bcher-kva.example', `${label63}.${label63}`, [label63, label63, label63, 'x'.repeat(61)].join('.')])(
    'accepts %j',
    (value) => {
      expect(isDnsName(value)).toBe(true);
    },
  );

  it.each([
    '', 'Shop.example.com', '*.example.com', 'example.com.', '.example.com', 'a..b', '-a.com', 'a-.com', 'a_b.com', 'a b.com', 'shop.example.com/path',
    `${'x'.repeat(64)}.com`, [label63, label63, label63, 'x'.repeat(62)].join('.'),
  ])('rejects %j', (value) => {
    expect(isDnsName(value)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isDnsName(undefined)).toBe(false);
    expect(isDnsName(42)).toBe(false);
    expect(isDnsName(['shop.example.com'])).toBe(false);
  });

  it('accepts any dot-joined generated labels up to 253 characters', () => {
    fc.assert(fc.property(fc.array(dnsLabel, { minLength: 1, maxLength: 4 }), (labels) => {
      const name = labels.join('.');
      expect(isDnsName(name)).toBe(name.length <= 253);
    }));
  });
});

describe('isInDomain', () => {
  it('accepts the domain itself and any name under it', () => {
    expect(isInDomain('shop.example.com', 'shop.example.com')).toBe(true);
    expect(isInDomain('acme.shop.example.com', 'shop.example.com')).toBe(true);
    expect(isInDomain('a.b.shop.example.com', 'shop.example.com')).toBe(true);
  });

  it('rejects names that only end with the same text, parents and siblings', () => {
    expect(isInDomain('evilshop.example.com', 'shop.example.com')).toBe(false);
    expect(isInDomain('example.com', 'shop.example.com')).toBe(false);
    expect(isInDomain('shop.example.org', 'shop.example.com')).toBe(false);
    expect(isInDomain('shop.example.com.evil.io', 'shop.example.com')).toBe(false);
  });
});

describe('maxTenantNameLength', () => {
  it('leaves 63 - offering length - 1 characters for long offering names', () => {
    expect(maxTenantNameLength('x'.repeat(MAX_OFFERING_NAME_LENGTH))).toBe(63 - 30 - 1);
    expect(maxTenantNameLength('x'.repeat(20))).toBe(42);
  });

  it('never exceeds the Helm release name limit of 53', () => {
    expect(maxTenantNameLength('shop')).toBe(MAX_RELEASE_NAME_LENGTH);
    expect(maxTenantNameLength('a')).toBe(53);
  });

  it('is a tight budget: the namespace fits in 63 and the tenant (the release name) in 53', () => {
    fc.assert(fc.property(offeringName, (offering) => {
      const budget = maxTenantNameLength(offering);
      expect(budget).toBeLessThanOrEqual(MAX_RELEASE_NAME_LENGTH);
      expect(tenantNamespace(offering, 'x'.repeat(budget)).length).toBeLessThanOrEqual(MAX_NAMESPACE_LENGTH);
      const oneMore = 'x'.repeat(budget + 1);
      expect(tenantNamespace(offering, oneMore).length > MAX_NAMESPACE_LENGTH || oneMore.length > MAX_RELEASE_NAME_LENGTH).toBe(true);
    }));
  });
});

describe('namespaces and labels', () => {
  it('names tenant namespaces <offering>-<tenant> and the provider namespace <offering>-system', () => {
    expect(tenantNamespace('shop', 'acme')).toBe('shop-acme');
    expect(providerNamespace('shop')).toBe('shop-system');
    expect(RESERVED_TENANT_NAMES).toEqual(['system']);
  });

  it('reserves the suffix that would turn a tenant namespace into the provider namespace of a longer offering name', () => {
    expect(RESERVED_TENANT_SUFFIX).toBe('-system');
    expect(tenantNamespace('shop', `a${RESERVED_TENANT_SUFFIX}`)).toBe(providerNamespace('shop-a'));
  });

  it('names the Pod Security Admission enforce label', () => {
    expect(PSA_ENFORCE).toBe('pod-security.kubernetes.io/enforce');
  });

  it('labels tenant objects with managed-by, offering, tenant and plan', () => {
    expect(tenantLabels('shop', 'acme', 'small')).toEqual({
      [LABEL_MANAGED_BY]: 'saasplane', [LABEL_OFFERING]: 'shop', [LABEL_TENANT]: 'acme', [LABEL_PLAN]: 'small',
    });
  });

  it('leaves the plan off pod labels, so that a plan change does not restart pods', () => {
    expect(podLabels('shop', 'acme')).toEqual({ [LABEL_OFFERING]: 'shop', [LABEL_TENANT]: 'acme' });
  });

  it('labels offering objects with managed-by and offering only', () => {
    expect(offeringLabels('shop')).toEqual({ [LABEL_MANAGED_BY]: 'saasplane', [LABEL_OFFERING]: 'shop' });
  });
});
