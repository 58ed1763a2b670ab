// The invariant transform under Pulumi's standard mocks, as users unit-test their programs:
// saasplane's own tenant passes it; a program's own violating resource is refused at registration,
// with the message the cdk8s validation plugin reports. (The real engine: engine.test.ts.)
// eslint-disable-next-line import/order
import { recorded, registrations, reset, settle } from './harness';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { shop } from '../../examples/offering';
import { InvariantRule, invariantTransform, TenantInstance } from '../../src/pulumi';

beforeEach(reset);

/** Runs `program` inside a root stack with the transform registered first, as a Pulumi program would. */
async function inStack(program: () => void, transform = invariantTransform()): Promise<void> {
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(transform);
    // records every resource, so that settle() waits for their registration
    pulumi.runtime.registerStackTransformation(recorded.transformations![0]);
    program();
    return {};
  });
  await settle();
}

test('a saasplane tenant passes the transform', async () => {
  await inStack(() => {
    new TenantInstance('acme', { offering: shop, plan: 'small', parameters: { replicaCount: 2 } });
  });
  expect(registrations.filter((r) => r.type === 'kubernetes:apps/v1:Deployment')).toHaveLength(1);
});

test('a workload in a tenant namespace without default-deny is refused, naming the rule, the namespace and the fix', async () => {
  let refusal: unknown;
  await inStack(() => {
    new k8s.core.v1.Namespace('ns', { metadata: { name: 'shop-rogue', labels: { 'saasplane.io/offering': 'shop', 'saasplane.io/tenant': 'rogue' } } });
    try {
      new k8s.apps.v1.Deployment('web', {
        metadata: { name: 'web', namespace: 'shop-rogue' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      });
    } catch (e) {
      refusal = e;
    }
  });
  expect(refusal).toBeInstanceOf(pulumi.RunError);
  expect((refusal as Error).message).toBe('kubernetes:apps/v1:Deployment "web" refused by saasplane-default-deny: Deployment "shop-rogue/web" runs pods in '
    + 'tenant namespace "shop-rogue" (tenant "rogue") without a default-deny NetworkPolicy before it; fix: plan the tenant with TenantInstance, '
    + 'or add a NetworkPolicy "default-deny" with podSelector {} and policyTypes [Ingress, Egress] and no rules');
  expect(registrations.map((r) => r.type)).not.toContain('kubernetes:apps/v1:Deployment');
});

test('a rule can be skipped', async () => {
  await inStack(() => {
    new k8s.core.v1.Namespace('scratch', { metadata: { name: 'scratch' } });
  }, invariantTransform({ skip: [InvariantRule.NAMESPACE_LABELS] }));
  expect(registrations.map((r) => r.name)).toContain('scratch');
});

test('an auto-named resource is checked under its resource name', async () => {
  let refusal: unknown;
  await inStack(() => {
    try {
      new k8s.rbac.v1.ClusterRole('everything', { rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] });
    } catch (e) {
      refusal = e;
    }
  });
  expect((refusal as Error).message).toMatch(/^kubernetes:rbac.authorization.k8s.io\/v1:ClusterRole "everything" refused by saasplane-rbac-wildcard: ClusterRole "everything" rule 0/);
});
