// Internal: the namespaces and Ingress hosts claimed so far in one construct tree (one app).
import { IConstruct } from 'constructs';
import { NameClaims, SaaSplaneError } from '../core';

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
