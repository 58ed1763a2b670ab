// One offering, two plans, three tenants, the provider's identity and a consumer identity
// per tenant. `npx cdk8s synth` (or `npm run example`) writes dist/shop/{_shared,acme,globex,initech}/.
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { shop } from '../offering';

const app = new SaaSApp();
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

app.synth();
