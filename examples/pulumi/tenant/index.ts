// A tenant stack: `pulumi up --stack acme` gives tenant "acme" its namespace, guardrails, chart
// and consumer identity. It needs none of the provider stack's resources and creates none of them.
// In your project import from 'saasplane/pulumi'.
import * as pulumi from '@pulumi/pulumi';
import { ConsumerAccess, TenantInstance } from '../../../src/pulumi';
import { shop } from '../../offering';

const config = new pulumi.Config();
const tenant = new TenantInstance(pulumi.getStack(), {
  offering: shop,
  plan: config.require('plan'),
  parameters: config.getObject('parameters'),
});
const users = new ConsumerAccess(`${pulumi.getStack()}-users`, { tenant });

export const namespace = tenant.namespace;
export const releaseName = tenant.releaseName;
export const plan = tenant.plan;
export const consumerServiceAccount = users.serviceAccountName;
