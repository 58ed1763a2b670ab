export { ChartSource, InvariantRule } from '../core';
export type { KubeObject, ObjectTransform, Values } from '../core';
export { ChartDeployment } from './chart';
export * from './consumer-access';
export * from './provider-access';
export * from './saas-offering';
export * from './tenant-instance';
export * from './invariants';
export * from './fleet';
