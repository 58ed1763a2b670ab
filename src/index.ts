// The package root is the engine-agnostic core; front-ends are `saasplane/constructs` (cdk8s).
export * from './core';
