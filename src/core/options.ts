// The option types both front-ends accept: the cdk8s constructs' props and the Pulumi components'
// args are these, plus the scope (offering, tenant) each one needs.
import type { ChartRenderer } from './helm';
import type { OfferingSpec, TenantSpec } from './model';
import type { ObjectTransform } from './transform';

/** What an offering is, and how its chart is rendered and its objects customized. */
export interface OfferingOptions extends Omit<OfferingSpec, 'name'> {
  /** Offering name: a DNS label of at most 30 characters that prefixes every tenant namespace. @default - the construct id / resource name */
  readonly name?: string;
  /**
   * Renders the chart for each tenant. Wrap it to add caching or pre-rendering.
   * @default - `helm template` (HelmRenderer) behind the render cache on disk (DiskRenderCache), or without it when `SAASPLANE_CACHE=off`
   */
  readonly renderer?: ChartRenderer;
  /** The provider's last word on every planned object (see {@link ObjectTransform}). @default - none */
  readonly transform?: ObjectTransform;
}

/** A tenant of an offering (`addTenant`'s options). */
export type TenantOptions = Omit<TenantSpec, 'name'>;

/** A provider identity of an offering. */
export interface ProviderAccessOptions {
  /** Namespace of the provider's ServiceAccount. @default "<offering>-system" */
  readonly namespace?: string;
  /** Create that namespace. @default - true, unless it is `<offering>-system`, which the offering creates */
  readonly createNamespace?: boolean;
  /** Name of the provider's ServiceAccount. @default "provider" */
  readonly serviceAccountName?: string;
}

/** A consumer identity of a tenant. */
export interface ConsumerAccessOptions {
  /** Name of the ServiceAccount, Role and RoleBinding. @default - the construct id / resource name */
  readonly name?: string;
  /** Users (from the cluster's authenticator, e.g. OIDC) bound to the role as well. @default - none */
  readonly users?: string[];
  /** Groups bound to the role as well. @default - none */
  readonly groups?: string[];
}
