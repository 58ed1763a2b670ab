// The "shop" offering: the example chart, the parameters a tenant may set, and two plans. One
// plain spec from the core, shared by the cdk8s app, the Pulumi provider stack and every Pulumi
// tenant stack. Inside this repository it comes from ../src; in your project from 'saasplane'.
import * as path from 'path';
import { ChartSource, Dependency, MetricsKind, OfferingSpec } from '../src';

export const shop: OfferingSpec = {
  name: 'shop',
  chart: ChartSource.fromDirectory(path.join(__dirname, 'charts', 'shop')),
  values: {
    // Provider defaults: tenants can never change these.
    image: { repository: 'nginxinc/nginx-unprivileged', tag: '1.27-alpine', pullPolicy: 'IfNotPresent' },
    database: { existingSecret: 'shop-db-credentials', storageClassName: 'standard' },
  },
  consumerParameters: ['replicaCount', 'theme', 'ingress.host'],
  plans: {
    small: {
      displayName: 'Small',
      // limits above requests: two web replicas, their rolling-update surge pod and the database fit
      quota: { cpu: '1', cpuLimit: '2', memory: '2Gi', storage: '5Gi', pods: 10 },
      values: { database: { storage: '2Gi' } },
      price: { currency: 'USD', monthly: 49, perCpuCoreHour: 0.04, perMemoryGiBHour: 0.005, perStorageGiBMonth: 0.1 },
    },
    large: {
      displayName: 'Large',
      quota: { cpu: '4', memory: '8Gi', storage: '50Gi', pods: 40 },
      values: { database: { storage: '20Gi', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } } },
      price: { currency: 'USD', monthly: 199, perCpuCoreHour: 0.035, perMemoryGiBHour: 0.004, perStorageGiBMonth: 0.08 },
      nodeSelector: { 'node.kubernetes.io/pool': 'large' },
      tolerations: [{ key: 'pool', operator: 'Equal', value: 'large', effect: 'NoSchedule' }],
    },
  },
  storageClasses: ['standard'],
  ingressDomains: ['shop.example.com'],
  ingressClassName: 'nginx',
  network: {
    dependencies: [Dependency.toCidr('payments-api', '203.0.113.0/24', { ports: [{ port: 443 }] })],
  },
  metrics: { kind: MetricsKind.SERVICE_MONITOR, port: 'metrics' },
  maxTenants: 100,
};
