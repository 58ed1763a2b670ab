// The shop offering's tenant stacks as a fleet: `saasplane fleet up --program examples/pulumi/fleet.ts
// --tenants examples/pulumi/tenants.yaml --kubeconfig <file> --backend file://<dir>` runs the tenant
// program (./tenant/program.ts) once per tenant, each in its own stack of the project "shop-tenant".
import { loadChart } from '../../src/core';
import type { FleetDefinition } from '../../src/pulumi';
import { shop } from '../offering';
import { tenantStack } from './tenant/program';

export const fleet: FleetDefinition = {
  projectName: 'shop-tenant',
  // the fleet's kubeconfig arrives as a secret
  program: (tenant, cluster) => tenantStack(tenant, cluster.kubeconfig!),
  // what decides the stacks besides this program's code: a changed chart re-runs every tenant
  fingerprint: () => loadChart(shop.chart).digest,
};
