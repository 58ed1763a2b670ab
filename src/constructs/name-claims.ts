// Internal: the namespaces and Ingress hosts claimed so far in one construct tree (one app).
import { IConstruct } from 'constructs';
import { NameClaims, SaaSplaneError, throwIfProblems } from '../core';

const claimsByRoot = new WeakMap<IConstruct, NameClaims>();

/** The claims of the app `scope` belongs to. */
export function appClaims(scope: IConstruct): NameClaims {
  const root = scope.node.root;
  let claims = claimsByRoot.get(root);
  if (!claims) {
    claims = new NameClaims();
    claimsByRoot.set(root, claims);
  }
  return claims;
}

/** Throws a clear error, before anything is added, when `scope` already has a child `id` (constructs would throw its own). */
export function assertFreeId(scope: IConstruct, id: string, what: string): void {
  if (typeof id !== 'string' || id === '') {
    throw new SaaSplaneError(`${what} ${JSON.stringify(id) ?? String(id)} cannot be added`, [
      'its construct id is empty: only the app itself has an empty id; give it a name',
    ]);
  }
  if (id in Object.prototype) {
    // the constructs library keeps children in a plain object: it takes "constructor" for a child
    throw new SaaSplaneError(`${what} "${id}" cannot be added`, [
      `the construct id ${JSON.stringify(id)} is the name of a JavaScript object member, which the constructs library cannot hold: choose another name`,
    ]);
  }
  const taken = scope.node.tryFindChild(id);
  if (taken) {
    throw new SaaSplaneError(`${what} "${id}" cannot be added`, [
      `the construct id ${JSON.stringify(id)} is already used by ${taken.node.path} in ${scope.node.path || 'the app'}: give each offering, tenant and access its own id`,
    ]);
  }
}

/**
 * Throws when the consumer access id `id` differs only in case from another of the same tenant:
 * a layout that names files after it (the default does) would write one file on macOS and
 * Windows. Returns the claim to record once the construct exists.
 */
export function assertFreeAccessId(scope: IConstruct, tenant: string, offering: string, id: string): () => void {
  const names = [`consumer access id "${id.toLowerCase()}" of tenant "${tenant}" of offering "${offering}"`];
  const claims = appClaims(scope);
  const owner = `consumer access "${id}"`;
  throwIfProblems(`${owner} cannot be added`, claims.conflicts(names, owner, 'ids that differ only in case name one file on macOS and Windows; choose another id'));
  return () => claims.claim(names, owner);
}
