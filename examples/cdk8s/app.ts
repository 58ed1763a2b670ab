// The example app: one offering, two plans, three tenants, the provider's identity and a consumer
// identity per tenant. main.ts synthesizes it; the cluster tests apply the same app.
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { shop } from '../offering';

/** Builds the example into a SaaSApp writing to `outdir`. */
export function exampleApp(outdir?: string): SaaSApp {
  const app = new SaaSApp(outdir === undefined ? {} : { outdir });
  const offering = new SaaSOffering(app, 'shop', shop);
  const tenants = [
    offering.addTenant('acme', { plan: 'small', parameters: { replicaCount: 2, ingress: { host: 'acme.shop.example.com' } } }),
    offering.addTenant('globex', { plan: 'large', parameters: { theme: 'dark', replicaCount: 3, ingress: { host: 'globex.shop.example.com' } } }),
    offering.addTenant('initech', { plan: 'small', parameters: { theme: 'ocean', ingress: { host: 'initech.shop.example.com' } } }),
  ];
  new ProviderAccess(app, 'provider', { offering });
  for (const tenant of tenants) {
    new ConsumerAccess(app, `${tenant.tenantName}-users`, { tenant });
  }
  return app;
}
