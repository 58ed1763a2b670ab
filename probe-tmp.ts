import fc from 'fast-check';
import { isDeepStrictEqual } from 'util';
import { mergeValues, Values } from './src/core/values';
const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'image', 'tag'), fc.stringMatching(/^[a-z]{1,5}$/));
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 6 }));
const leafValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
const { tree } = fc.letrec<{ tree: Values; node: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, tie('tree')),
}));
const r = fc.check(fc.property(tree, tree, tree, (a, b, c) => isDeepStrictEqual(JSON.parse(JSON.stringify(mergeValues(mergeValues(a, b), c))), JSON.parse(JSON.stringify(mergeValues(a, mergeValues(b, c)))))), { numRuns: 50000 });
console.log(r.failed, JSON.stringify(r.counterexample), r.counterexample && r.counterexample.map((x: any) => Object.getOwnPropertyNames(x)));
if (r.counterexample) { const [a,b,c] = r.counterexample as any; console.log(JSON.stringify(mergeValues(mergeValues(a, b), c)), JSON.stringify(mergeValues(a, mergeValues(b, c)))); }
