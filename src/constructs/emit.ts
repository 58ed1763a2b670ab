// Internal: turns the core's planned objects into cdk8s ApiObjects, using the generated typed
// classes for the Prometheus Operator kinds.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, KubeObject, RecordingRuleGroup } from '../core';
import {
  PodMonitor, PodMonitorSpec, PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor, ServiceMonitorSpec,
} from '../imports/monitoring.coreos.com';

/** Emits each object as a child of `scope`, with ids `<Kind>.<name>` (stable, unique per scope). */
export function emitObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((object) => {
    const apiObject = emitObject(scope, object);
    // cdk8s gives every object of a namespaced chart the chart's namespace, cluster-scoped ones too.
    if (CLUSTER_SCOPED_KINDS.has(object.kind) && !object.metadata.namespace && Chart.of(scope).namespace) {
      apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    return apiObject;
  });
}

function emitObject(scope: Construct, object: KubeObject): ApiObject {
  let id = `${object.kind}.${object.metadata.name}`;
  if (scope.node.tryFindChild(id)) {
    id = `${object.apiVersion.replace(/\//g, '.')}.${id}`;
  }
  const { metadata, spec } = object as KubeObject & { spec: unknown };
  if (object.apiVersion === 'monitoring.coreos.com/v1') {
    switch (object.kind) {
      // The core's plain specs match the generated Props field for field; the generated enums are plain strings at runtime.
      case 'ServiceMonitor': return new ServiceMonitor(scope, id, { metadata, spec: spec as ServiceMonitorSpec });
      case 'PodMonitor': return new PodMonitor(scope, id, { metadata, spec: spec as PodMonitorSpec });
      case 'PrometheusRule': {
        const groups = (spec as { groups: RecordingRuleGroup[] }).groups;
        return new PrometheusRule(scope, id, {
          metadata,
          spec: {
            groups: groups.map((g) => ({
              name: g.name,
              interval: g.interval,
              rules: g.rules.map((r) => ({ record: r.record, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
            })),
          },
        });
      }
    }
  }
  return new ApiObject(scope, id, object);
}
