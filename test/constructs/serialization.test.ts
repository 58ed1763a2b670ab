// Planned objects skip cdk8s' per-value token resolution when nothing could need it; what they
// serialize to, as JSON and as the YAML SaaSApp writes, must stay exactly what cdk8s' own
// ApiObject.toJson() gives, in every case.
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as fc from 'fast-check';
import { hosted, tempDir } from './fixtures';
import { shop } from '../../examples/offering';
import { ConsumerAccess, ProviderAccess, SaaSApp, SaaSOffering } from '../../src/constructs';
import { emitPlanned, yamlDocumentOf } from '../../src/constructs/emit';
import { GROUP_WAVES, ObjectGroup, toYaml } from '../../src/core';

const apiObjects = (app: App): ApiObject[] => app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);

/** JSON that keeps what JSON.stringify drops: a member or an item that is undefined (which YAML cannot write). */
const exactJson = (value: unknown): string => JSON.stringify(value, (_key, v) => (v === undefined ? '<undefined>' : v));

function expectCdk8sSerialization(app: App): void {
  const objects = apiObjects(app);
  expect(objects.length).toBeGreaterThanOrEqual(40);
  for (const o of objects) {
    // key order included: it is the order of the YAML output
    const path = o.node.path;
    const cdk8s = ApiObject.prototype.toJson.call(o);
    expect({ path, json: exactJson(o.toJson()) }).toEqual({ path, json: exactJson(cdk8s) });
    // what SaaSApp writes, without a sanitized copy where it can
    expect({ path, yaml: yamlDocumentOf(o) }).toEqual({ path, yaml: toYaml([cdk8s]) });
  }
}

/** The example offering with customizations, two tenants, a provider and a consumer access. */
function customizedFleet(resolvers?: IResolver[]) {
  const app = new SaaSApp({ outdir: tempDir(), resolvers });
  const offering = new SaaSOffering(app, 'shop', { ...shop, labels: { 'team.example.com/owner': 'shop' } });
  const acme = offering.addTenant('acme', hosted('acme', {
    plan: 'small', parameters: { replicaCount: 2 }, labels: { 'billing.example.com/account': '42' }, annotations: { 'example.com/note': 'a: b\nc' },
  }));
  offering.addTenant('globex', hosted('globex', { plan: 'large', parameters: { theme: 'dark' } }));
  new ProviderAccess(app, 'provider', { offering });
  new ConsumerAccess(app, 'acme-users', { tenant: acme });
  expect(acme.planned.length).toBeGreaterThan(10); // renders the tenants' charts: their objects are emitted
  return { app, offering, acme };
}

describe('planned objects serialize as cdk8s does', () => {
  test('namespaced and cluster-scoped objects, chart objects, customizations', () => {
    const { app, offering, acme } = customizedFleet();
    const kinds = [...offering.planned, ...acme.planned].map((p) => p.object.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Namespace', 'ValidatingAdmissionPolicy', 'Deployment', 'StatefulSet', 'NetworkPolicy']));
    expectCdk8sSerialization(app);
  });

  test('with the keys left unsorted (CDK8S_DISABLE_SORT)', () => {
    const { app } = customizedFleet();
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      expectCdk8sSerialization(app);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('after user changes: a JSON patch, metadata, a Lazy value, a null member', () => {
    const { app, acme } = customizedFleet();
    const web = acme.apiObjectFor('Deployment', 'acme-web')!;
    web.addJsonPatch(JsonPatch.replace('/spec/replicas', 3));
    const service = acme.apiObjectFor('Service', 'acme-web')!;
    service.metadata.addLabel('example.com/tier', 'web');
    service.metadata.addAnnotation('example.com/empty', '');
    const quota = acme.planned.find((p) => p.object.kind === 'ResourceQuota')!.object as any;
    quota.spec = { ...quota.spec, scopes: Lazy.any({ produce: () => ['NotTerminating'] }), scopeSelector: null };
    const limits = acme.planned.find((p) => p.object.kind === 'LimitRange')!.object as any;
    limits.spec = { ...limits.spec, removed: null, alsoRemoved: undefined, items: [null, 'kept'] };
    expectCdk8sSerialization(app);
    expect(web.toJson().spec.replicas).toBe(3);
    expect(service.toJson().metadata.labels['example.com/tier']).toBe('web');
    expect(acme.apiObjectFor('ResourceQuota', quota.metadata.name)!.toJson().spec.scopes).toEqual(['NotTerminating']);
  });

  test('with a resolver of the app, which still sees every value', () => {
    const seen = new Set<string>();
    const { app, acme } = customizedFleet([{
      resolve: (context: ResolutionContext) => {
        if (context.value === 'acme-web') {
          seen.add(context.key.join('.'));
          context.replaceValue('acme-web-resolved');
        }
      },
    }]);
    expectCdk8sSerialization(app);
    expect([...seen].sort()).toEqual(['name', 'spec.rules.0.http.paths.0.backend.service.name']); // metadata is resolved on its own
    expect(acme.apiObjectFor('Deployment', 'acme-web')!.toJson().metadata.name).toBe('acme-web-resolved');
  });

  test('any JSON data: keys that look like numbers, __proto__, nulls, unsorted keys, cluster-scoped kinds', () => {
    const key = fc.constantFrom('a', 'B', 'b', '10', '9', '0', '01', '-1', '4294967295', '__proto__', 'constructor', 'x y', 'ä');
    const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0));
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 3 }),
      map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    }));
    const spec = fc.dictionary(key, node, { maxKeys: 5 });
    for (const unsorted of [false, true]) {
      if (unsorted) process.env.CDK8S_DISABLE_SORT = '1';
      try {
        const app = new App();
        const chart = new Chart(app, 'random', { namespace: 'ns', disableResourceNameHashes: true });
        const specs = fc.sample(fc.tuple(spec, fc.boolean()), { numRuns: 400, seed: unsorted ? 12 : 13 });
        const planned = specs.map(([data, clusterScoped], i) => ({
          // JSON data, as planned objects are (JSON.parse gives an own __proto__ key)
          object: JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: clusterScoped ? 'Namespace' : 'ConfigMap', metadata: { name: `o${i}` }, ...data })),
          group: ObjectGroup.SHARED,
          wave: GROUP_WAVES[ObjectGroup.SHARED],
          owner: { offering: 'random' },
        }));
        for (const o of emitPlanned(chart, planned, false)) {
          let cdk8s: unknown;
          try {
            cdk8s = ApiObject.prototype.toJson.call(o);
          } catch (e) {
            expect(() => yamlDocumentOf(o)).toThrow((e as Error).message);
            continue;
          }
          expect({ path: o.node.path, json: exactJson(o.toJson()) }).toEqual({ path: o.node.path, json: exactJson(cdk8s) });
          expect({ path: o.node.path, yaml: yamlDocumentOf(o) }).toEqual({ path: o.node.path, yaml: toYaml([cdk8s]) });
        }
      } finally {
        delete process.env.CDK8S_DISABLE_SORT;
      }
    }
  });
});
