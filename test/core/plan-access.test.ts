import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { findObject, offeringSpec, resolved } from './fixtures';
import type { KubeObject } from '../../src/core/kube';
import { PodSecurityLevel } from '../../src/core/model';
import {
  CONSUMER_RULES, planConsumerAccess, planProviderBinding, planProviderShared, PROVIDER_TENANT_RULES, providerIdentity, validateConsumerAccess,
} from '../../src/core/plan-access';

const identity = providerIdentity('shop', 'shop-system');
const shared = planProviderShared(identity, true);
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function rulesOf(objects: readonly KubeObject[]): PolicyRule[] {
  return objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) => (o as unknown as ClusterRole).rules ?? []);
}

/** The verbs `rules` grant on `resource` (in any API group). */
function verbsOn(rules: readonly PolicyRule[], resource: string): string[] {
  return rules.filter((r) => r.resources?.includes(resource)).flatMap((r) => r.verbs);
}

describe('provider identity', () => {
  it('names the tenant ClusterRole after the offering and defaults the ServiceAccount to "provider"', () => {
    expect(identity).toEqual({
      offering: 'shop',
      namespace: 'shop-system',
      serviceAccount: 'provider',
      tenantRole: 'saasplane:shop:provider-tenant',
      namespacesRole: 'saasplane:shop:provider-namespaces',
      namespaceGuard: 'saasplane-shop-provider-namespaces',
      tenantBinding: 'saasplane-provider',
    });
    expect(providerIdentity('shop', 'ops', 'deployer').serviceAccount).toBe('deployer');
  });

  it('suffixes every name of another identity with its namespace and ServiceAccount, which read one way (issue 10)', () => {
    expect(providerIdentity('shop', 'ops', 'deployer')).toMatchObject({
      tenantRole: 'saasplane:shop:provider-tenant.ops.deployer',
      namespacesRole: 'saasplane:shop:provider-namespaces.ops.deployer',
      namespaceGuard: 'saasplane-shop-provider-namespaces.ops.deployer',
      tenantBinding: 'saasplane-provider.ops.deployer',
    });
    expect(providerIdentity('shop', 'a-b', 'c').tenantRole).not.toBe(providerIdentity('shop', 'a', 'b-c').tenantRole);
  });

  it('never uses "*" in a verb, resource or API group', () => {
    const rules = [...PROVIDER_TENANT_RULES, ...CONSUMER_RULES, ...rulesOf(shared)];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources ?? []).not.toContain('*');
      expect(rule.apiGroups ?? []).not.toContain('*');
      for (const resource of rule.resources ?? []) expect(resource).not.toMatch(/\*/);
    }
  });

  it('grants no escalate, bind or impersonate', () => {
    for (const rule of [...PROVIDER_TENANT_RULES, ...CONSUMER_RULES, ...rulesOf(shared)]) {
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['bind']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['impersonate']));
    }
  });

  it('creates the provider namespace (restricted), ServiceAccount, roles and the namespace guard', () => {
    expect(shared.map((o) => o.kind)).toEqual([
      'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    ]);
    const ns = findObject(shared, 'Namespace');
    expect(ns.metadata.name).toBe('shop-system');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const sa = findObject(shared, 'ServiceAccount');
    expect(sa.metadata).toEqual(expect.objectContaining({ name: 'provider', namespace: 'shop-system' }));
    expect(sa.automountServiceAccountToken).toBe(false);
    for (const object of shared) {
      expect(object.metadata.labels).toEqual(expect.objectContaining({ 'saasplane.io/offering': 'shop', 'app.kubernetes.io/managed-by': 'saasplane' }));
    }
  });

  it('leaves the namespace out when asked to', () => {
    expect(planProviderShared(identity, false).some((o) => o.kind === 'Namespace')).toBe(false);
  });

  it('binds cluster-wide only the namespaces role, and only to the provider', () => {
    const bindings = shared.filter((o) => o.kind === 'ClusterRoleBinding') as unknown as ClusterRoleBinding[];
    expect(bindings).toHaveLength(1);
    const [binding] = bindings;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'saasplane:shop:provider-namespaces' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'provider', namespace: 'shop-system' }]);
    const namespacesRole = findObject<ClusterRole>(shared, 'ClusterRole', 'saasplane:shop:provider-namespaces');
    expect(namespacesRole.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['create'] }]);
  });

  it('may only create namespaces cluster-wide: reading, changing and deleting one come with its tenant RoleBinding', () => {
    const clusterWide = rulesOf(shared.filter((o) => o.metadata.name === 'saasplane:shop:provider-namespaces'));
    expect(verbsOn(clusterWide, 'namespaces')).toEqual(['create']);
    expect(PROVIDER_TENANT_RULES.filter((r) => r.resources?.includes('namespaces'))).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'update', 'patch', 'delete'] },
    ]);
    expect(verbsOn(PROVIDER_TENANT_RULES, 'namespaces')).not.toContain('list');
  });

  it('never binds the tenant ClusterRole cluster-wide', () => {
    const tenantRole = findObject<ClusterRole>(shared, 'ClusterRole', identity.tenantRole);
    expect(tenantRole.rules).toEqual(PROVIDER_TENANT_RULES);
    const clusterBindings = shared.filter((o) => o.kind === 'ClusterRoleBinding') as unknown as ClusterRoleBinding[];
    expect(clusterBindings.some((b) => b.roleRef.name === identity.tenantRole)).toBe(false);
  });

  it('copies the rules, so that changing an emitted role cannot change the shared constant', () => {
    const tenantRole = findObject<ClusterRole>(planProviderShared(identity, false), 'ClusterRole', identity.tenantRole);
    expect(tenantRole.rules![0]).not.toBe(PROVIDER_TENANT_RULES[0]);
  });

  describe('namespace guard', () => {
    const policy = findObject<ValidatingAdmissionPolicy & KubeObject>(shared, 'ValidatingAdmissionPolicy');
    const binding = findObject<ValidatingAdmissionPolicyBinding & KubeObject>(shared, 'ValidatingAdmissionPolicyBinding');

    it("applies only to the provider's ServiceAccount", () => {
      expect(policy.spec?.matchConditions).toEqual([
        { name: 'is-provider', expression: "request.userInfo.username == 'system:serviceaccount:shop-system:provider'" },
      ]);
    });

    it('matches namespace create, update and delete and fails closed', () => {
      expect(policy.spec?.failurePolicy).toBe('Fail');
      expect(policy.spec?.matchConstraints?.resourceRules).toEqual([
        expect.objectContaining({ apiGroups: [''], resources: ['namespaces'], operations: ['CREATE', 'UPDATE', 'DELETE'] }),
      ]);
    });

    it('reads the labels of the new and the old namespace into variables, empty when there are none', () => {
      expect(policy.spec?.variables).toEqual([
        { name: 'labels', expression: 'object != null && has(object.metadata.labels) ? object.metadata.labels : {}' },
        { name: 'oldLabels', expression: 'oldObject != null && has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}' },
      ]);
    });

    it('has seven validations: identity and Pod Security on create, tenants only, fixed labels, metadata on change, saasplane\'s labels only on create, states', () => {
      expect(policy.spec?.validations).toHaveLength(7);
      const free = "(k.startsWith('kubectl.kubernetes.io/') || k in ['saasplane.io/retention', 'saasplane.io/delete-after'])";
      expect(policy.spec?.validations?.[4].expression).toBe("request.operation != 'UPDATE' || (object.metadata.?finalizers == oldObject.metadata.?finalizers "
        + '&& object.spec.?finalizers == oldObject.spec.?finalizers && object.metadata.?ownerReferences == oldObject.metadata.?ownerReferences '
        + `&& object.metadata.?annotations.orValue({}).all(k, ${free} || oldObject.metadata.?annotations.orValue({})[?k] == object.metadata.annotations[?k]) `
        + `&& oldObject.metadata.?annotations.orValue({}).all(k, ${free} || k in object.metadata.?annotations.orValue({})))`);
      expect(policy.spec?.validations?.[5].expression).toContain("variables.labels.all(k, k in ['saasplane.io/offering','saasplane.io/tenant','saasplane.io/plan',");
      expect(policy.spec?.validations?.[5].expression).toContain("variables.labels['pod-security.kubernetes.io/audit'] == 'restricted'");
      expect(policy.spec?.validations?.[5].expression).toContain('!has(object.metadata.ownerReferences)');
    });

    it('with the offering\'s plans, lets the provider label namespaces only with one of them', () => {
      const withPlans = findObject<ValidatingAdmissionPolicy>(planProviderShared(identity, true, undefined, ['small', 'large']), 'ValidatingAdmissionPolicy');
      expect(withPlans.spec?.validations).toHaveLength(8);
      expect(withPlans.spec?.validations?.[7]).toEqual({
        expression: "request.operation == 'DELETE' || (variables.labels['saasplane.io/plan'] in ['small','large'])",
        message: 'the provider of offering "shop" may only label namespaces with one of its plans: small, large',
      });
    });

    it('lets the provider create only <offering>-<tenant> namespaces labelled with offering and tenant, never a *-system one', () => {
      const [identityCheck] = policy.spec?.validations ?? [];
      expect(identityCheck.expression).toBe("request.operation != 'CREATE' || (variables.labels['saasplane.io/offering'] == 'shop' "
        + "&& 'saasplane.io/tenant' in variables.labels && object.metadata.name == 'shop-' + variables.labels['saasplane.io/tenant'] "
        + "&& variables.labels['saasplane.io/tenant'] != 'system' && !variables.labels['saasplane.io/tenant'].endsWith('-system'))");
      expect(identityCheck.message).toBe('the provider of offering "shop" may only create tenant namespaces "shop-<tenant>" labelled saasplane.io/offering=shop and saasplane.io/tenant=<tenant>');
    });

    it("lets the provider create only namespaces enforcing the offering's Pod Security level, version latest", () => {
      const [, podSecurity] = policy.spec?.validations ?? [];
      expect(podSecurity.expression).toBe("request.operation != 'CREATE' || (variables.labels['pod-security.kubernetes.io/enforce'] == 'restricted' "
        + "&& variables.labels['pod-security.kubernetes.io/enforce-version'] == 'latest')");
      expect(podSecurity.message).toBe('the provider of offering "shop" may only create namespaces that enforce Pod Security "restricted" '
        + '(labels pod-security.kubernetes.io/enforce=restricted, pod-security.kubernetes.io/enforce-version=latest)');
    });

    it('checks the Pod Security level given for the offering', () => {
      const baseline = findObject<ValidatingAdmissionPolicy & KubeObject>(planProviderShared(identity, false, PodSecurityLevel.BASELINE), 'ValidatingAdmissionPolicy');
      const [, podSecurity] = baseline.spec?.validations ?? [];
      expect(podSecurity.expression).toContain("variables.labels['pod-security.kubernetes.io/enforce'] == 'baseline'");
      expect(podSecurity.expression).not.toContain('restricted');
      expect(podSecurity.message).toContain('enforce Pod Security "baseline"');
    });

    it("lets the provider change or delete only its offering's tenant namespaces", () => {
      const [, , tenantsOnly] = policy.spec?.validations ?? [];
      expect(tenantsOnly.expression).toBe("request.operation == 'CREATE' || (variables.oldLabels['saasplane.io/offering'] == 'shop' && 'saasplane.io/tenant' in variables.oldLabels)");
      expect(tenantsOnly.message).toBe('the provider of offering "shop" may only change or delete its tenants\' namespaces');
    });

    it('lets the provider change no namespace label but the plan and the state, and the state only to suspended or offboarded', () => {
      const [, , , fixedLabels, , , states] = policy.spec?.validations ?? [];
      const mutable = "(k == 'saasplane.io/plan' || k == 'saasplane.io/state')";
      expect(fixedLabels.expression).toBe(`request.operation != 'UPDATE' || (variables.labels.all(k, ${mutable} `
        + '|| (k in variables.oldLabels && variables.oldLabels[k] == variables.labels[k])) '
        + `&& variables.oldLabels.all(k, ${mutable} || k in variables.labels))`);
      expect(fixedLabels.message).toBe('the provider of offering "shop" may change no namespace label but saasplane.io/plan and saasplane.io/state (Pod Security and tenant identity labels are fixed)');
      expect(states.expression).toBe("!('saasplane.io/state' in variables.labels) || variables.labels['saasplane.io/state'] in ['suspended', 'offboarded']");
    });

    it('is bound with Deny', () => {
      expect(binding.metadata.name).toBe(policy.metadata.name);
      expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    });
  });

  it('lets the provider into a tenant namespace with a RoleBinding to the tenant ClusterRole', () => {
    const binding = planProviderBinding(identity, resolved()) as RoleBinding & KubeObject;
    expect(binding.kind).toBe('RoleBinding');
    expect(binding.metadata.namespace).toBe('shop-acme');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'saasplane:shop:provider-tenant' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'provider', namespace: 'shop-system' }]);
  });
});

describe('consumer access', () => {
  const tenant = resolved(offeringSpec());
  const objects = planConsumerAccess(tenant, { name: 'acme-users', users: ['alice@example.com'], groups: ['acme-admins'] });
  const role = findObject<Role & KubeObject>(objects, 'Role');
  const rules = role.rules ?? [];

  it('creates a ServiceAccount, Role and RoleBinding in the tenant namespace', () => {
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    for (const object of objects) {
      expect(object.metadata).toEqual(expect.objectContaining({ name: 'acme-users', namespace: 'shop-acme' }));
    }
    expect(findObject(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('binds the Role to its ServiceAccount, users and groups', () => {
    const binding = findObject<RoleBinding & KubeObject>(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'acme-users' });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'acme-users', namespace: 'shop-acme' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'acme-admins' },
    ]);
  });

  it('binds only the ServiceAccount when no users or groups are given', () => {
    const binding = findObject<RoleBinding & KubeObject>(planConsumerAccess(tenant, { name: 'viewer' }), 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'viewer', namespace: 'shop-acme' }]);
  });

  it('has the consumer rules', () => {
    expect(rules).toEqual(CONSUMER_RULES);
  });

  it.each(['resourcequotas', 'limitranges', 'networkpolicies', 'roles', 'rolebindings', 'secrets', 'serviceaccounts'])(
    'grants no write verb on %s',
    (resource) => {
      for (const verb of WRITE_VERBS) {
        expect(verbsOn(rules, resource)).not.toContain(verb);
      }
    },
  );

  it('never grants any access to secrets', () => {
    expect(verbsOn(rules, 'secrets')).toEqual([]);
  });

  it('grants nothing on exec or attach', () => {
    expect(verbsOn(rules, 'pods/exec')).toEqual([]);
    expect(verbsOn(rules, 'pods/attach')).toEqual([]);
  });

  it('can read its workloads and logs, port-forward and restart workloads', () => {
    expect(verbsOn(rules, 'pods')).toEqual(expect.arrayContaining(['get', 'list', 'watch']));
    expect(verbsOn(rules, 'pods/log')).toContain('get');
    expect(verbsOn(rules, 'pods/portforward')).toEqual(['create']);
    expect(verbsOn(rules, 'deployments')).toContain('patch');
  });

  it('writes nothing but workload patches', () => {
    const writes = rules.filter((r) => r.verbs.some((v) => WRITE_VERBS.includes(v)));
    expect(writes.flatMap((r) => r.resources)).toEqual(['pods/portforward', 'deployments', 'statefulsets', 'daemonsets']);
  });
});

describe('consumer access subjects (issue 9)', () => {
  it('fails when a user or group is empty, naming the field', () => {
    expect(() => validateConsumerAccess('acme-users', 'acme-users', [''], ['  '])).toThrow(
      /users entry "" is empty: name the user of the cluster's authenticator, or leave it out[\s\S]*groups entry "  " is empty/,
    );
    expect(() => validateConsumerAccess('acme-users', 'acme-users', ['alice'], ['acme-admins'])).not.toThrow();
  });
});
