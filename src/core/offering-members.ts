/**
 * The tenants and provider identities of one offering within one program, for either front-end.
 * Each provider is bound in each tenant exactly once, whichever of the two was added first.
 * Tenant names are kept in a Set, so that validating n added tenants stays linear.
 */
export class OfferingMembers<Tenant, Provider> {
  private readonly tenantList: Tenant[] = [];
  private readonly names = new Set<string>();
  private readonly hostOwners = new Map<string, string>();
  private readonly providerList: Provider[] = [];

  /** `bind` grants `provider` its rights in `tenant`'s namespace. */
  constructor(private readonly bind: (provider: Provider, tenant: Tenant) => void) {}

  /** Names of the tenants added so far. */
  public get tenantNames(): ReadonlySet<string> {
    return this.names;
  }

  /** The tenants, in the order they were added (a copy). */
  public get tenants(): readonly Tenant[] {
    return [...this.tenantList];
  }

  /** The providers, in the order they were added (a copy). */
  public get providers(): readonly Provider[] {
    return [...this.providerList];
  }

  /** Problems when another tenant already serves one of `hosts`: Ingress hosts are unique across tenants. */
  public hostProblems(name: string, hosts: readonly string[]): string[] {
    return hosts.filter((h) => this.hostOwners.has(h) && this.hostOwners.get(h) !== name)
      .map((h) => `Ingress host "${h}" is already served by tenant "${this.hostOwners.get(h)}": each tenant needs its own host; set its ingress host parameter, e.g. "${name}.<domain>"`);
  }

  /** Adds a validated tenant serving `hosts` and binds every provider added so far in it. */
  public addTenant(tenant: Tenant, name: string, hosts: readonly string[] = []): void {
    this.tenantList.push(tenant);
    this.names.add(name);
    for (const host of hosts) {
      this.hostOwners.set(host, name);
    }
    for (const provider of this.providerList) {
      this.bind(provider, tenant);
    }
  }

  /** Adds a provider and binds it in every tenant added so far. */
  public addProvider(provider: Provider): void {
    this.providerList.push(provider);
    for (const tenant of this.tenantList) {
      this.bind(provider, tenant);
    }
  }
}
