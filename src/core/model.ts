// The engine-agnostic model of an offering, its plans and its tenants. Both front-ends
// (cdk8s constructs and Pulumi components) accept these shapes and hand them to the core.
import type { Toleration } from 'kubernetes-types/core/v1';
import type { ChartSource } from './chart-source';
import type { Values } from './values';

/** Pod Security Admission level enforced on tenant namespaces. */
export enum PodSecurityLevel {
  /** Unrestricted; only for trusted charts that need host access. */
  PRIVILEGED = 'privileged',
  /** Prevents known privilege escalations. */
  BASELINE = 'baseline',
  /** Hardened pod security (the default). */
  RESTRICTED = 'restricted',
}

/** Compute, storage and object-count limits of a plan. */
export interface QuotaSpec {
  /** Total CPU requests in the tenant namespace, e.g. "2" or "500m". */
  readonly cpu: string;
  /** Total memory requests, e.g. "4Gi". */
  readonly memory: string;
  /**
   * Total CPU limits.
   * @default - the same as `cpu`
   */
  readonly cpuLimit?: string;
  /**
   * Total memory limits.
   * @default - the same as `memory`
   */
  readonly memoryLimit?: string;
  /**
   * Total storage requested by PersistentVolumeClaims.
   * @default "0" - no persistent storage
   */
  readonly storage?: string;
  /**
   * Total local ephemeral storage (container writable layers, logs, emptyDir) requested, and limited.
   * @default "10Gi"
   */
  readonly ephemeralStorage?: string;
  /** Maximum number of pods. @default 20 */
  readonly pods?: number;
  /** Maximum number of Services. @default 10 */
  readonly services?: number;
  /** Maximum number of PersistentVolumeClaims. @default 10 */
  readonly persistentVolumeClaims?: number;
  /** Maximum number of ConfigMaps. @default 50 */
  readonly configMaps?: number;
  /** Maximum number of Secrets. @default 50 */
  readonly secrets?: number;
  /** Maximum number of ReplicaSets (each Deployment keeps up to `revisionHistoryLimit` old ones). @default 100 */
  readonly replicaSets?: number;
  /** Maximum number of ReplicationControllers (a legacy API). @default 0 */
  readonly replicationControllers?: number;
  /**
   * Maximum number of objects of each other kind a tenant holds: Deployments, StatefulSets,
   * DaemonSets, Jobs, CronJobs, Ingresses, ServiceAccounts, PodDisruptionBudgets and
   * HorizontalPodAutoscalers (each kind on its own).
   * @default 50
   */
  readonly objectsPerKind?: number;
}

/** What a plan costs; chargeback multiplies the recorded consumption by these rates. */
export interface PriceSpec {
  /** ISO 4217 currency code, e.g. "USD". */
  readonly currency: string;
  /** Flat monthly fee. @default 0 */
  readonly monthly?: number;
  /** Price of one CPU core used for one hour. @default 0 */
  readonly perCpuCoreHour?: number;
  /** Price of one GiB of memory used for one hour. @default 0 */
  readonly perMemoryGiBHour?: number;
  /** Price of one GiB of requested storage for one month. @default 0 */
  readonly perStorageGiBMonth?: number;
}

/** One plan of an offering (Open Service Broker: a service plan). */
export interface PlanSpec {
  /** Quota of every tenant on this plan. */
  readonly quota: QuotaSpec;
  /**
   * Helm values of this plan; they override the offering's values and are overridden by
   * the tenant's parameters.
   * @default - none
   */
  readonly values?: Values;
  /** Price for chargeback. @default - no price, consumption is still recorded */
  readonly price?: PriceSpec;
  /** Node labels every pod of the tenant must match. @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** Tolerations added to every pod of the tenant. @default - none */
  readonly tolerations?: Toleration[];
  /**
   * Run each tenant on nodes dedicated to it: pods select nodes labelled
   * `saasplane.io/tenant=<namespace>` and tolerate the taint `saasplane.io/tenant=<namespace>:NoSchedule`.
   * @default false
   */
  readonly dedicatedNodes?: boolean;
  /** The channel (chart version) tenants of this plan run, unless a promoted rollout wave or the tenant says otherwise. @default - the offering's default channel */
  readonly channel?: string;
  /** Human-readable name for catalogs. @default - the plan's key */
  readonly displayName?: string;
  /** Description for catalogs. @default - none */
  readonly description?: string;
}

/** A port of a network dependency. */
export interface DependencyPort {
  /** Port number. */
  readonly port: number;
  /** Protocol. @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Something outside the tenant namespace that tenant pods may reach; everything else is denied. */
export interface DependencySpec {
  /** Short name, used in the NetworkPolicy's name (DNS label). */
  readonly name: string;
  /** Namespace of a shared service inside the cluster. Exclusive with `cidr`. */
  readonly namespace?: string;
  /** Pods of that namespace. @default - every pod of the namespace */
  readonly podSelector?: Record<string, string>;
  /** An external network in CIDR notation. Exclusive with `namespace`. */
  readonly cidr?: string;
  /** Networks inside `cidr` that stay denied. @default - none */
  readonly except?: string[];
  /** Allowed ports. @default - every port */
  readonly ports?: DependencyPort[];
}

/** Factories for {@link DependencySpec}. */
export class Dependency {
  /** Allows egress to pods of another namespace (a shared database, a payment service). */
  public static toNamespace(
    name: string,
    namespace: string,
    options: { podSelector?: Record<string, string>; ports?: DependencyPort[] } = {},
  ): DependencySpec {
    return { name, namespace, ...options };
  }

  /** Allows egress to an external network. */
  public static toCidr(name: string, cidr: string, options: { except?: string[]; ports?: DependencyPort[] } = {}): DependencySpec {
    return { name, cidr, ...options };
  }
}

/** Network isolation settings of an offering. */
export interface NetworkSpec {
  /**
   * Labels selecting the namespace of the ingress controller, whose pods may reach tenant pods.
   * @default { "kubernetes.io/metadata.name": "ingress-nginx" }
   */
  readonly ingressControllerNamespace?: Record<string, string>;
  /**
   * Labels selecting the cluster DNS namespace.
   * @default { "kubernetes.io/metadata.name": "kube-system" }
   */
  readonly dnsNamespace?: Record<string, string>;
  /** Labels selecting the cluster DNS pods. @default { "k8s-app": "kube-dns" } */
  readonly dnsPods?: Record<string, string>;
  /** Allowed dependencies of every tenant. @default - none */
  readonly dependencies?: DependencySpec[];
}

/** How Prometheus scrapes the application. */
export enum MetricsKind {
  /** A `ServiceMonitor` selecting the chart's Services. */
  SERVICE_MONITOR = 'ServiceMonitor',
  /** A `PodMonitor` selecting the chart's pods. */
  POD_MONITOR = 'PodMonitor',
}

/** The application's metrics endpoint. */
export interface MetricsSpec {
  /** ServiceMonitor or PodMonitor. @default MetricsKind.SERVICE_MONITOR */
  readonly kind?: MetricsKind;
  /** Name of the Service port (ServiceMonitor) or container port (PodMonitor). */
  readonly port: string;
  /** HTTP path. @default "/metrics" */
  readonly path?: string;
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
  /**
   * Labels of the Services or pods to scrape.
   * @default { "app.kubernetes.io/instance": <release name> }
   */
  readonly selector?: Record<string, string>;
}

/** Where Prometheus runs and where offering-level rules go. */
export interface MonitoringSpec {
  /** Namespace of Prometheus, allowed to scrape tenant pods. @default "monitoring" */
  readonly prometheusNamespace?: string;
  /**
   * Labels selecting the Prometheus namespace (for the scrape NetworkPolicy).
   * @default { "kubernetes.io/metadata.name": <prometheusNamespace> }
   */
  readonly prometheusNamespaceSelector?: Record<string, string>;
  /** Labels Prometheus' `ruleSelector` matches, put on the PrometheusRule. @default - none */
  readonly ruleLabels?: Record<string, string>;
  /** Labels Grafana's dashboard sidecar selects, put on the dashboard's ConfigMap. @default { grafana_dashboard: "1" } */
  readonly dashboardLabels?: Record<string, string>;
}

/** Container defaults of the tenant LimitRange, so that quota-bound pods without resources are admitted. */
export interface ContainerDefaults {
  /** Default CPU request. @default "100m" */
  readonly cpuRequest?: string;
  /** Default memory request. @default "128Mi" */
  readonly memoryRequest?: string;
  /** Default CPU limit. @default "500m" */
  readonly cpuLimit?: string;
  /** Default memory limit. @default "512Mi" */
  readonly memoryLimit?: string;
  /** Default ephemeral-storage request. @default "100Mi" */
  readonly ephemeralStorageRequest?: string;
  /** Default ephemeral-storage limit. @default "1Gi" */
  readonly ephemeralStorageLimit?: string;
}

/** A Kubernetes object installed once per offering. */
export interface SharedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; [field: string]: unknown };
  readonly [field: string]: unknown;
}

/**
 * A staged move of tenants to another channel: the tenants of the first `promoted` waves run
 * `channel`, the others stay where they are. Promoting a wave is a one-line change, reviewed with
 * `saasplane diff`; `saasplane upgrade-plan` previews every wave first.
 */
export interface RolloutSpec {
  /** The channel the rollout moves tenants to, e.g. "canary". */
  readonly channel: string;
  /** The waves in order, each a list of tenant or plan names: [["internal"], ["small"], ["large"]]. A tenant named is in that wave, else its plan's. */
  readonly waves: string[][];
  /** How many waves, from the first, are promoted. @default 0 */
  readonly promoted?: number;
}

/** An offering: a chart, the values tenants may set, its plans and its policies. */
export interface OfferingSpec {
  /** Offering name, a DNS label of at most 30 characters; prefixes every tenant namespace. */
  readonly name: string;
  /** The application chart: the chart of the default channel. */
  readonly chart: ChartSource;
  /** The name of the default channel, whose chart is `chart`. @default "stable" */
  readonly defaultChannel?: string;
  /** More charts (or versions of the chart) by channel name: { canary: ChartSource.fromDirectory("charts/app-1.5.0") }. @default - none */
  readonly channels?: Record<string, ChartSource>;
  /** A rollout of a channel, wave by wave. @default - none */
  readonly rollout?: RolloutSpec;
  /** Provider defaults; tenants can never override them outside `consumerParameters`. @default - the chart's defaults */
  readonly values?: Values;
  /** Dotted value paths a tenant may set ("replicaCount", "ingress.host"). @default - none */
  readonly consumerParameters?: string[];
  /** Plans by name. */
  readonly plans: Record<string, PlanSpec>;
  /** Pod Security Admission level of tenant namespaces. @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** Network isolation. @default - default deny, DNS, same namespace and ingress-nginx allowed */
  readonly network?: NetworkSpec;
  /** StorageClasses PersistentVolumeClaims may use; the first one is set where a claim names none. @default - any */
  readonly storageClasses?: string[];
  /** Allow Services of type NodePort. @default false */
  readonly allowNodePorts?: boolean;
  /** Allow Services of type LoadBalancer. @default false */
  readonly allowLoadBalancers?: boolean;
  /**
   * DNS domains tenants' Ingress hosts must be in: a host is one of them or a name under one.
   * A chart that renders an Ingress needs this; hosts are also unique across tenants.
   * @default - none: the chart may not render Ingress hosts
   */
  readonly ingressDomains?: string[];
  /**
   * Ingress annotations of ingress controllers (keys whose prefix names an ingress, such as
   * `nginx.ingress.kubernetes.io/rewrite-target`) tenants' Ingress objects may set. Others would
   * configure the shared controller for every tenant (aliases, auth URLs, mirrors, snippets,
   * secrets of other namespaces).
   * @default - none
   */
  readonly ingressAnnotations?: string[];
  /** The IngressClass tenants' Ingress objects must use. @default - any */
  readonly ingressClassName?: string;
  /**
   * PriorityClasses tenants' pods may use (add the cluster's global default class, if it has one).
   * @default - none: pods run at the cluster's default priority
   */
  readonly priorityClassNames?: string[];
  /**
   * Force `imagePullPolicy: Always` on every container of a tenant (Multi-Tenancy Benchmarks
   * CC-DI-1: a tenant must not run a private image another tenant pulled onto the node).
   * @default true
   */
  readonly alwaysPullImages?: boolean;
  /** The application's metrics endpoint. @default - no ServiceMonitor/PodMonitor */
  readonly metrics?: MetricsSpec;
  /** Prometheus placement. @default - see MonitoringSpec */
  readonly monitoring?: MonitoringSpec;
  /** LimitRange defaults. @default - see ContainerDefaults */
  readonly containerDefaults?: ContainerDefaults;
  /** Objects installed once per offering (CRDs, cluster roles the app needs). @default - none */
  readonly sharedObjects?: SharedObject[];
  /** License: the maximum number of tenants. @default - unlimited */
  readonly maxTenants?: number;
  /** License: synthesis fails from this instant on (ISO 8601; a date alone means 00:00 UTC of that day, e.g. "2027-12-31"). @default - never */
  readonly expires?: string;
  /** Kubernetes version passed to `helm template --kube-version`. @default "1.34.0" */
  readonly kubeVersion?: string;
  /** Labels on every object the offering plans, its tenants' included (not on pod templates). @default - none */
  readonly labels?: Record<string, string>;
  /** Annotations on every object the offering plans, its tenants' included. @default - none */
  readonly annotations?: Record<string, string>;
}

/** Where a tenant is in its life. */
export enum TenantState {
  /** Running (the default). */
  ACTIVE = 'active',
  /** Nothing runs: workloads scaled to zero, Jobs and CronJobs suspended, quota `pods: 0`, the consumer's rights removed; data kept. */
  SUSPENDED = 'suspended',
  /**
   * The application is removed; the namespace (with its guardrails) and the claims stay, annotated
   * with `deleteAfter`, until someone deletes them after that date.
   */
  OFFBOARDED = 'offboarded',
}

/** One tenant instance of an offering. */
export interface TenantSpec {
  /** Tenant name, a DNS label; the namespace is `<offering>-<tenant>`. */
  readonly name: string;
  /** Name of one of the offering's plans. */
  readonly plan: string;
  /** Values the tenant chose, only at the offering's `consumerParameters` paths. @default - none */
  readonly parameters?: Values;
  /** Helm release name. @default - the tenant name */
  readonly releaseName?: string;
  /** Extra dependencies of this tenant only. @default - none */
  readonly dependencies?: DependencySpec[];
  /**
   * Values the provider sets for this tenant alone, such as the name of its own database Secret.
   * They are merged last, over the tenant's parameters: the tenant can neither set nor override them.
   * @default - none
   */
  readonly providerValues?: Values;
  /** Quota fields that replace the plan's for this tenant only (a negotiated deal). @default - the plan's quota */
  readonly quota?: Partial<QuotaSpec>;
  /** Labels on every object of this tenant, over the offering's. @default - none */
  readonly labels?: Record<string, string>;
  /** Annotations on every object of this tenant, over the offering's. @default - none */
  readonly annotations?: Record<string, string>;
  /** The channel this tenant runs whatever its plan and the rollout say (a pinned version). @default - its plan's, or the rollout's once its wave is promoted */
  readonly channel?: string;
  /** Where the tenant is in its life. @default TenantState.ACTIVE */
  readonly state?: TenantState;
  /** For an offboarded tenant (and only then): the date (YYYY-MM-DD) after which its namespace and claims may be deleted. */
  readonly deleteAfter?: string;
}

/** Defaults applied to a spec. */
export const DEFAULT_KUBE_VERSION = '1.34.0';
