// A tenant stack: `pulumi up --stack acme` gives tenant "acme" its namespace, guardrails, chart
// and consumer identity. It needs none of the provider stack's resources and creates none of them.
// In your project import from 'saasplane/pulumi'.
import * as pulumi from '@pulumi/pulumi';
import { tenantStack } from './program';

const config = new pulumi.Config();
const outputs = tenantStack({ name: pulumi.getStack(), plan: config.require('plan'), parameters: config.getObject('parameters') },
  config.requireSecret('kubeconfig'));

export const namespace = outputs.namespace;
export const releaseName = outputs.releaseName;
export const plan = outputs.plan;
export const consumerServiceAccount = outputs.consumerServiceAccount;
