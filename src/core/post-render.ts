// Guards and adaptations applied to every object a tenant's chart renders: forced into the
// tenant namespace, labelled, placed on the plan's nodes, and refused when it would reach
// outside the tenant (cluster-scoped objects, host paths, node ports, foreign storage classes).
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1';
import type { RenderedObject } from './helm';
import type { KubeObject } from './kube';

/** Built-in kinds that are not namespaced (Kubernetes 1.34). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ClusterTrustBundle',
  'ComponentStatus', 'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'DeviceClass', 'FlowSchema',
  'IngressClass', 'IPAddress', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration', 'Namespace', 'Node', 'PersistentVolume', 'PriorityClass',
  'PriorityLevelConfiguration', 'ResourceSlice', 'RuntimeClass', 'SelfSubjectAccessReview',
  'SelfSubjectReview', 'SelfSubjectRulesReview', 'ServiceCIDR', 'StorageClass', 'StorageVersionMigration',
  'SubjectAccessReview', 'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeAttributesClass',
]);

/** Where and how a tenant's chart objects are adapted. */
export interface TenantPlacement {
  readonly namespace: string;
  /** Labels for every object. */
  readonly labels: Record<string, string>;
  /** Labels for pod templates (and volume claim templates). */
  readonly podLabels: Record<string, string>;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Toleration[];
  /** Allowed StorageClasses; the first is set on claims that name none. Empty: any. */
  readonly storageClasses: readonly string[];
  readonly allowNodePorts: boolean;
  readonly allowLoadBalancers: boolean;
}

/** The adapted objects, or the problems that forbid them. */
export interface AdaptResult {
  readonly objects: KubeObject[];
  readonly problems: string[];
}

/** Adapts rendered chart objects to one tenant; never modifies its input. */
export function adaptChartObjects(rendered: readonly RenderedObject[], placement: TenantPlacement): AdaptResult {
  const problems: string[] = [];
  const objects: KubeObject[] = [];
  for (const { object: original, template } of rendered) {
    const where = `${original.kind} "${original.metadata?.name}"${template ? ` (from ${template})` : ''}`;
    if (CLUSTER_SCOPED_KINDS.has(original.kind)) {
      problems.push(`the chart renders the cluster-scoped ${where}: a tenant's chart may only hold namespaced objects; `
        + 'declare it once on the offering with `sharedObjects` (CRDs, cluster roles) and remove it from the tenant\'s chart');
      continue;
    }
    const object = structuredClone(original);
    object.metadata = {
      ...object.metadata,
      namespace: placement.namespace,
      labels: { ...object.metadata.labels, ...placement.labels },
    };
    problems.push(...serviceProblems(object, where, placement));
    for (const podSpec of podSpecsOf(object, placement.podLabels)) {
      problems.push(...hostPathProblems(podSpec, where));
      placePod(podSpec, placement);
    }
    for (const claim of claimsOf(object)) {
      const claimMeta = (claim.metadata ?? {}) as { labels?: Record<string, string> };
      claim.metadata = { ...claimMeta, labels: { ...claimMeta.labels, ...placement.podLabels } };
      problems.push(...storageClassProblems(claim, where, placement.storageClasses));
    }
    objects.push(object);
  }
  return { objects, problems };
}

/** Pod specs inside an object; labels its pod templates on the way. */
function podSpecsOf(object: KubeObject, podLabels: Record<string, string>): PodSpec[] {
  const templates: Array<{ metadata?: { labels?: Record<string, string> }; spec?: PodSpec }> = [];
  const spec = object.spec as Record<string, any> | undefined;
  switch (object.kind) {
    case 'Pod':
      object.metadata.labels = { ...object.metadata.labels, ...podLabels };
      return spec ? [spec as PodSpec] : [];
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': case 'ReplicationController':
      if (spec?.template) templates.push(spec.template);
      break;
    case 'CronJob':
      if (spec?.jobTemplate?.spec?.template) templates.push(spec.jobTemplate.spec.template);
      break;
    case 'PodTemplate':
      if (object.template) templates.push(object.template as any);
      break;
  }
  for (const template of templates) {
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...podLabels } };
  }
  return templates.flatMap((t) => (t.spec ? [t.spec] : []));
}

function placePod(podSpec: PodSpec, placement: TenantPlacement): void {
  if (placement.nodeSelector && Object.keys(placement.nodeSelector).length > 0) {
    podSpec.nodeSelector = { ...podSpec.nodeSelector, ...placement.nodeSelector };
  }
  if (placement.tolerations && placement.tolerations.length > 0) {
    podSpec.tolerations = [...(podSpec.tolerations ?? []), ...placement.tolerations];
  }
}

function hostPathProblems(podSpec: PodSpec, where: string): string[] {
  return (podSpec.volumes ?? []).filter((v) => v.hostPath).map((v) =>
    `${where} mounts the hostPath volume "${v.name}": tenants may not use host paths; use an emptyDir or a PersistentVolumeClaim`);
}

type Claim = { metadata?: unknown; spec?: { storageClassName?: string } };

function claimsOf(object: KubeObject): Claim[] {
  if (object.kind === 'PersistentVolumeClaim') {
    object.spec ??= {};
    return [object as Claim];
  }
  if (object.kind === 'StatefulSet') {
    return ((object.spec as { volumeClaimTemplates?: Claim[] } | undefined)?.volumeClaimTemplates ?? []).map((c) => {
      c.spec ??= {};
      return c;
    });
  }
  return [];
}

function storageClassProblems(claim: Claim, where: string, allowed: readonly string[]): string[] {
  if (allowed.length === 0) {
    return [];
  }
  const spec = claim.spec!;
  if (spec.storageClassName === undefined || spec.storageClassName === null || spec.storageClassName === '') {
    spec.storageClassName = allowed[0];
    return [];
  }
  if (!allowed.includes(spec.storageClassName)) {
    return [`${where} claims storage class "${spec.storageClassName}": the offering allows ${allowed.map((c) => `"${c}"`).join(', ')}; set the chart's storage class value to one of them`];
  }
  return [];
}

function serviceProblems(object: KubeObject, where: string, placement: TenantPlacement): string[] {
  if (object.kind !== 'Service') {
    return [];
  }
  const type = (object.spec as { type?: string } | undefined)?.type;
  if (type === 'NodePort' && !placement.allowNodePorts) {
    return [`${where} is of type NodePort: the offering does not allow node ports; use ClusterIP behind the ingress, or set allowNodePorts on the offering`];
  }
  if (type === 'LoadBalancer' && !placement.allowLoadBalancers) {
    return [`${where} is of type LoadBalancer: the offering does not allow load balancers; use ClusterIP behind the ingress, or set allowLoadBalancers on the offering`];
  }
  return [];
}
