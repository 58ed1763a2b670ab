// cdk8s front-end: thin constructs over the core.
export {
  ChartSource, ChartSourceKind, Dependency, DiskRenderCache, GROUP_WAVES, HelmRenderer, InvariantRule, MetricsKind, ObjectGroup, PodSecurityLevel,
  SaaSplaneError, TenantFoldersLayout,
} from '../core';
export type {
  ChartRenderer, ContainerDefaults, DependencySpec, MetricsSpec, MonitoringSpec, NetworkSpec, PlanSpec, PriceSpec, QuotaSpec, SharedObject,
  RenderRequest, RenderedObject, RepositoryChartOptions, Values, KubeObject, ObjectTransform, OfferingOptions, OutputLayout, PlannedObject, PlanOwner,
  ProviderAccessOptions, ConsumerAccessOptions,
} from '../core';
export * from './consumer-access';
export * from './provider-access';
export * from './saas-app';
export * from './saas-offering';
export * from './tenant-instance';
export * from './validation';
