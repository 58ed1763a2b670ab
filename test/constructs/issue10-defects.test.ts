// Issue 10's defects, each reproduced first: the emitters must hand the core's planned objects
// to the API server as they are, and SaaSApp must keep what the stock cdk8s App guarantees.
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { exampleOffering, hosted, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { captureError } from '../core/fixtures';

describe('issue 10 defects', () => {
  test('a ServiceMonitor keeps every field it is given (the generated classes dropped targetPort: 8080)', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'exporter', namespace: 'shop-system' },
      spec: { selector: { matchLabels: { app: 'exporter' } }, endpoints: [{ targetPort: 8080, path: '/metrics', honorLabels: true }] },
    };
    const { app } = exampleOffering({ sharedObjects: [monitor] });
    const written = YAML.parseAllDocuments(app.synthFiles().get(path.join('shop', '_shared', '00-shared-objects.yaml'))!).map((d) => d.toJS());
    expect(written).toEqual([monitor]);
  });

  test('two ProviderAccess identities of one offering get objects of their own (they overwrote each other\'s ClusterRoles, binding and policy)', () => {
    const { app, offering } = exampleOffering();
    offering.addTenant('acme', hosted('acme', { plan: 'small' }));
    new ProviderAccess(app, 'provider', { offering });
    new ProviderAccess(app, 'ci', { offering, serviceAccountName: 'deployer' });
    const files = app.synthFiles();
    const objects = (file: string) => YAML.parseAllDocuments(files.get(path.join('shop', ...file.split('/')))!).map((d) => d.toJS());
    const names = (file: string) => objects(file).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names('_shared/20-provider-provider.yaml')).toEqual(['ServiceAccount/provider', 'ClusterRole/saasplane:shop:provider-tenant',
      'ClusterRole/saasplane:shop:provider-namespaces', 'ClusterRoleBinding/saasplane:shop:provider-namespaces',
      'ValidatingAdmissionPolicy/saasplane-shop-provider-namespaces', 'ValidatingAdmissionPolicyBinding/saasplane-shop-provider-namespaces']);
    expect(names('_shared/20-provider-ci.yaml')).toEqual(['ServiceAccount/deployer', 'ClusterRole/saasplane:shop:provider-tenant.shop-system.deployer',
      'ClusterRole/saasplane:shop:provider-namespaces.shop-system.deployer', 'ClusterRoleBinding/saasplane:shop:provider-namespaces.shop-system.deployer',
      'ValidatingAdmissionPolicy/saasplane-shop-provider-namespaces.shop-system.deployer',
      'ValidatingAdmissionPolicyBinding/saasplane-shop-provider-namespaces.shop-system.deployer']);
    const [binding] = objects('acme/20-provider-ci.yaml');
    expect(binding).toMatchObject({
      kind: 'RoleBinding',
      metadata: { name: 'saasplane-provider.shop-system.deployer', namespace: 'shop-acme' },
      roleRef: { name: 'saasplane:shop:provider-tenant.shop-system.deployer' },
      subjects: [{ name: 'deployer', namespace: 'shop-system' }],
    });
    const guard = objects('_shared/20-provider-ci.yaml').find((o) => o.kind === 'ValidatingAdmissionPolicy');
    expect(JSON.stringify(guard.spec.matchConditions)).toContain('system:serviceaccount:shop-system:deployer');
  });

  test('SaaSOffering refused by validation leaves nothing: a corrected retry with the same id works', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    captureError(() => new SaaSOffering(app, 'shop', { ...shop, plans: {} }));
    expect(new SaaSOffering(app, 'shop', shop).offeringName).toBe('shop');
  });

  test('SaaSApp writes objects in the order their dependencies ask, as the stock App does', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const chart = new Chart(app, 'extra');
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const second = new ApiObject(chart, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
    first.addDependency(second);
    const names = YAML.parseAllDocuments(app.synthFiles().get('extra.k8s.yaml')!).map((d) => d.toJS().metadata.name);
    expect(names).toEqual(['second', 'first']);
  });

  test('a dependency on a group of objects orders every object of the group first, as the stock App does', () => {
    const app = new SaaSApp({ outdir: tempDir() });
    const chart = new Chart(app, 'extra');
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const group = new Construct(chart, 'group');
    new ApiObject(group, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
    new ApiObject(group, 'third', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'third' } });
    first.addDependency(group);
    const names = YAML.parseAllDocuments(app.synthFiles().get('extra.k8s.yaml')!).map((d) => d.toJS().metadata.name);
    expect(names).toEqual(['second', 'third', 'first']);
    // and a second synthesis gives the same
    expect(YAML.parseAllDocuments(app.synthFiles().get('extra.k8s.yaml')!).map((d) => d.toJS().metadata.name)).toEqual(names);
  });
});
