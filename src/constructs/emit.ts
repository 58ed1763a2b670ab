// Internal: turns the core's planned objects into cdk8s ApiObjects, as they are. (Generated typed
// classes re-map fields and dropped the ones they did not know, such as a numeric targetPort.)
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, KubeObject } from '../core';

/** Emits each object as a child of `scope`, with ids `<Kind>.<name>` (stable, unique per scope). */
export function emitObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((object) => {
    let id = `${object.kind}.${object.metadata.name}`;
    if (scope.node.tryFindChild(id)) {
      id = `${object.apiVersion.replace(/\//g, '.')}.${id}`;
    }
    const apiObject = new ApiObject(scope, id, object);
    // cdk8s gives every object of a namespaced chart the chart's namespace, cluster-scoped ones too.
    if (CLUSTER_SCOPED_KINDS.has(object.kind) && !object.metadata.namespace && Chart.of(scope).namespace) {
      apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    return apiObject;
  });
}
