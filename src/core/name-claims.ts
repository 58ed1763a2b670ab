/**
 * Names that must be unique across every offering of one program: namespaces (two offerings of
 * the same name would share `<offering>-system` and their tenants' namespaces) and Ingress hosts
 * (two tenants serving one host). The first claim wins; a later one gets a problem naming both owners.
 */
export class NameClaims {
  private readonly owners = new Map<string, string>();

  /** Problems when `names` (e.g. `namespace "shop-a-x"`) are held by another owner. */
  public conflicts(names: readonly string[], owner: string,
    fix = 'namespaces and hosts must be unique across offerings; rename the offering or the tenant, or change the Ingress host'): string[] {
    return names.flatMap((name) => {
      const holder = this.owners.get(name);
      return holder !== undefined && holder !== owner ? [`${name} is already used by ${holder}: ${fix}`] : [];
    });
  }

  /** Records `names` as `owner`'s; call after `conflicts` found none. */
  public claim(names: readonly string[], owner: string): void {
    for (const name of names) {
      this.owners.set(name, owner);
    }
  }
}
