// parseRendered reads helm's output with js-yaml and YAML 1.2's core schema, ten times as fast as
// the `yaml` library: it must give exactly the objects and templates `yaml` gives, and hand over
// to `yaml` whatever it cannot read the same way.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { helmBinary, parseRendered, parseRenderedWithYaml, SaaSplaneError } from '../../src/core';
import { EXAMPLE_CHART, FIXTURE_CHARTS } from '../constructs/fixtures';

function helmTemplate(chart: string, values: object): string {
  const result = spawnSync(helmBinary(), ['template', 'acme', chart, '--namespace', 'shop-acme', '--kube-version', '1.34.0', '--values', '-'],
    { input: JSON.stringify(values), encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
}

const SCALARS = `---
# Source: edge/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: scalars
data:
  binary: 0b101
  underscores: 1_000
  octal11: 012
  octal12: 0o17
  hex: 0x1F
  exp: 1e3
  signed: +12
  dot: .5
  inf: -.Inf
  nan: .NaN
  tilde: ~
  null: Null
  yes: yes
  on: on
  true: TRUE
  date: 2024-01-01
  time: 12:30:00
  quoted: "0x10"
  single: 'it''s'
  block: |
    line one
    ---
    line three
  folded: >-
    folded
    text
  unicode: "équipe ✓ \\u00e9"
  empty:
  list: [1, "2", three, {a: b}]
---
# Source: edge/templates/empty.yaml
# nothing rendered here
---
# Source: edge/templates/second.yaml
apiVersion: v1
kind: Secret
metadata: {name: second, labels: {a: "1"}}
stringData:
  key: value
`;

describe('parseRendered', () => {
  test.each([
    ['the example chart, defaults', () => helmTemplate(EXAMPLE_CHART, {})],
    ['the example chart, a tenant\'s parameters', () => helmTemplate(EXAMPLE_CHART, { replicaCount: 3, theme: 'dark', ingress: { host: 'a.shop.example.com' } })],
    ['a chart with a subchart, hooks and files', () => helmTemplate(path.join(FIXTURE_CHARTS, 'fidelity'), { extra: { ratio: 0.25, big: 1e21 } })],
    ['every kind of scalar, block scalars, flow collections, empty documents', () => SCALARS],
  ])('gives exactly what the yaml library gives: %s', (_title, output) => {
    const text = output();
    const parsed = parseRendered(text);
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed).toEqual(parseRenderedWithYaml(text));
  });

  test('reads YAML 1.2: 0b101, 1_000, yes, on and dates stay strings; 012 is twelve', () => {
    const data = parseRendered(SCALARS)[0].object.data as Record<string, unknown>;
    expect(data).toMatchObject({ binary: '0b101', underscores: '1_000', octal11: 12, octal12: 15, hex: 31, exp: 1000, yes: 'yes', on: 'on', true: true });
    expect(data.date).toBe('2024-01-01');
    expect(data.block).toBe('line one\n---\nline three\n');
  });

  test('hands anchors and aliases to the yaml library, which refuses an alias bomb', () => {
    const aliases = '---\n# Source: a/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\ndata: {copy: *m}\n';
    expect(parseRendered(aliases)).toEqual(parseRenderedWithYaml(aliases));
    const layers = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) layers.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = `---\n# Source: b/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  ${layers.join('\n  ')}\n`;
    expect(() => parseRendered(bomb)).toThrow(SaaSplaneError);
  });

  test('hands output it cannot read (an unknown tag, a duplicate key) to the yaml library and its error', () => {
    const tagged = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata: {b: !!binary aGVsbG8=}\n';
    expect(parseRendered(tagged)).toEqual(parseRenderedWithYaml(tagged));
    const duplicate = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\nmetadata: {name: e}\n';
    expect(() => parseRendered(duplicate)).toThrow(/helm output is not valid YAML/);
  });
});
