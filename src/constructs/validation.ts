// A cdk8s validation plugin: `cdk8s synth --validate` runs saasplane's invariants on any cdk8s
// app's output (saasplane's own or not), configured in cdk8s.yaml:
//
//   validations:
//     - package: ./node_modules/saasplane/lib/constructs/validation.js
//       version: 0.0.0
//       class: SaaSplaneValidation
//
// The cdk8s CLI loads local plugins by path. Its types are declared here in the shape the CLI
// passes (cdk8s-cli/lib/plugins/validation), so saasplane does not depend on the CLI package.
import { checkInvariants, InvariantRule, KubeObject } from '../core';

/** What the cdk8s CLI hands a validation plugin (the part this plugin uses). */
export interface CdkValidationContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  parseManifest(manifestPath: string): unknown[];
}

/** Properties from cdk8s.yaml: `skip`, rule names not to check. */
export interface SaaSplaneValidationProps {
  readonly skip?: readonly InvariantRule[];
}

/** saasplane's invariants as a cdk8s validation plugin. */
export class SaaSplaneValidation {
  private readonly skip: ReadonlySet<string>;

  constructor(props: SaaSplaneValidationProps = {}) {
    const unknown = (props.skip ?? []).filter((rule) => !Object.values<string>(InvariantRule).includes(rule));
    if (unknown.length > 0) {
      throw new Error(`saasplane validation: unknown rule ${unknown.map((r) => JSON.stringify(r)).join(', ')} in "skip": use one of ${Object.values(InvariantRule).join(', ')}`);
    }
    this.skip = new Set(props.skip ?? []);
  }

  public async validate(context: CdkValidationContext): Promise<void> {
    const objects: KubeObject[] = [];
    const manifestOf = new Map<KubeObject, string>();
    for (const manifest of context.manifests) {
      for (const document of context.parseManifest(manifest)) {
        if (isKubeObject(document)) {
          objects.push(document);
          manifestOf.set(document, manifest);
        }
      }
    }
    const violations = checkInvariants(objects).filter((v) => !this.skip.has(v.rule));
    for (const v of violations) {
      const ns = v.object.metadata.namespace;
      context.report.addViolation({
        ruleName: v.rule,
        recommendation: v.message,
        fix: v.fix,
        violatingResources: [{ resourceName: `${v.object.kind} ${ns ? `${ns}/` : ''}${v.object.metadata.name}`, locations: [v.location], manifestPath: manifestOf.get(v.object)! }],
      });
    }
    context.report.submit(violations.length > 0 ? 'failure' : 'success', { objects: String(objects.length), violations: String(violations.length) });
  }
}

function isKubeObject(value: unknown): value is KubeObject {
  const o = value as KubeObject | null;
  return typeof o === 'object' && o !== null && typeof o.kind === 'string' && typeof o.apiVersion === 'string' && typeof o.metadata?.name === 'string';
}
