export { ChartSource } from '../core';
export { ChartDeployment } from './chart';
export * from './consumer-access';
export * from './provider-access';
export * from './saas-offering';
export * from './tenant-instance';
