// Internal: the namespaces and Ingress hosts claimed so far in one construct tree (one app).
import { IConstruct } from 'constructs';
import { NameClaims } from '../core';

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
