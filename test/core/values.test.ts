import fc from 'fast-check';
import { disallowedParameterPaths, getPath, leafPaths, mergeValues, Values } from '../../src/core/values';

// ---------------------------------------------------------------------------------------------
// Arbitraries. Keys are short lowercase words without dots (a dot would be read as a path
// separator) and without names of Object.prototype members; a few fixed keys make layers overlap.
// ---------------------------------------------------------------------------------------------
const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'image', 'tag'), fc.stringMatching(/^[a-z]{1,5}$/));
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 6 }));
const leafValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));

/** Null-free values trees. */
const { tree: valuesTree } = fc.letrec<{ tree: Values; node: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, tie('tree')),
}));

/** Values trees where some leaves are null (Helm's "delete this key"). */
const { tree: valuesTreeWithNulls } = fc.letrec<{ tree: Values; node: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, fc.constant(null), tie('tree')),
}));

/**
 * Null-free trees whose shape is fixed by the key: keys starting with "m" always hold maps and
 * all other keys always hold leaves. Associativity only holds for such layers (see below).
 */
const leafKey = fc.oneof(fc.constantFrom('a', 'b', 'tag'), fc.stringMatching(/^[a-l][a-z]{0,3}$/));
const mapKey = fc.constantFrom('m', 'ma', 'mb', 'mimage');
const { tree: shapedTree } = fc.letrec<{ tree: Values }>((tie) => ({
  tree: fc.tuple(
    fc.dictionary(leafKey, leafValue, { maxKeys: 3, noNullPrototype: true }),
    fc.oneof({ depthSize: 'small' }, fc.constant({}), fc.dictionary(mapKey, tie('tree'), { maxKeys: 2, noNullPrototype: true })),
  ).map(([leaves, maps]) => ({ ...leaves, ...maps })),
}));

const segments = fc.array(key, { minLength: 1, maxLength: 4 });

function atPath(path: readonly string[], value: unknown): Values {
  return path.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value) as Values;
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

function valueAt(values: Values, path: readonly string[]): unknown {
  return getPath(values, path.join('.'));
}

describe('mergeValues', () => {
  it('merges maps key by key, deeply', () => {
    const merged = mergeValues(
      { image: { repository: 'nginx', tag: '1.0' }, service: { port: 80 } },
      { image: { tag: '2.0' }, ingress: { enabled: true } },
    );
    expect(merged).toEqual({
      image: { repository: 'nginx', tag: '2.0' },
      service: { port: 80 },
      ingress: { enabled: true },
    });
  });

  it('replaces lists instead of merging them', () => {
    expect(mergeValues({ args: ['a', 'b', 'c'] }, { args: ['z'] })).toEqual({ args: ['z'] });
    expect(mergeValues({ hosts: [{ name: 'a', port: 1 }] }, { hosts: [{ name: 'b' }] })).toEqual({ hosts: [{ name: 'b' }] });
  });

  it('replaces scalars, and a map replaces a scalar (and vice versa)', () => {
    expect(mergeValues({ replicaCount: 1 }, { replicaCount: 3 })).toEqual({ replicaCount: 3 });
    expect(mergeValues({ x: 'text' }, { x: { nested: true } })).toEqual({ x: { nested: true } });
    expect(mergeValues({ x: { nested: true } }, { x: 'text' })).toEqual({ x: 'text' });
    expect(mergeValues({ x: { nested: true } }, { x: [1] })).toEqual({ x: [1] });
  });

  it('deletes a key set by an earlier layer when a later layer sets it to null', () => {
    expect(mergeValues({ a: 1, b: 2 }, { a: null })).toEqual({ b: 2 });
    expect(mergeValues({ resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }, { resources: { limits: null } }))
      .toEqual({ resources: { requests: { cpu: '1' } } });
    expect(mergeValues({ a: { b: 1 } }, { a: null })).toEqual({});
  });

  it('lets the last layer win over every earlier one', () => {
    expect(mergeValues({ v: 1 }, { v: 2 }, { v: 3 })).toEqual({ v: 3 });
    expect(mergeValues({ v: 1, w: 1 }, { v: 2 }, undefined, { w: 3 })).toEqual({ v: 2, w: 3 });
  });

  it('skips undefined layers and returns {} for no layers', () => {
    expect(mergeValues()).toEqual({});
    expect(mergeValues(undefined, { a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('does not modify its inputs and shares no objects with them', () => {
    const base = { image: { tag: '1' }, list: [{ x: 1 }], keep: { deep: { value: 1 } } };
    const overlay = { image: { tag: '2', pullPolicy: 'Always' }, list: [{ y: 2 }], keep: null };
    const baseCopy = structuredClone(base);
    const overlayCopy = structuredClone(overlay);
    const merged = mergeValues(base, overlay);
    expect(base).toEqual(baseCopy);
    expect(overlay).toEqual(overlayCopy);

    (merged.image as Values).tag = 'changed';
    (merged.list as Array<Values>)[0].y = 'changed';
    expect(overlay).toEqual(overlayCopy);

    const single = mergeValues(base);
    (single.keep as { deep: Values }).deep.value = 99;
    expect(base.keep.deep.value).toBe(1);
  });

  it('keeps a "__proto__" key as an ordinary value key, as Helm does', () => {
    const layer = JSON.parse('{"__proto__": {"x": 1}}') as Values;
    const merged = mergeValues({}, layer);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  describe('properties', () => {
    it('is associative for null-free layers that agree on which keys hold maps', () => {
      fc.assert(fc.property(shapedTree, shapedTree, shapedTree, (a, b, c) => {
        expect(mergeValues(mergeValues(a, b), c)).toEqual(mergeValues(a, mergeValues(b, c)));
        expect(mergeValues(a, b, c)).toEqual(mergeValues(mergeValues(a, b), c));
      }));
    });

    it('is a left fold, so it is not associative when a key changes between map and scalar', () => {
      // Found by fast-check on unconstrained trees. Not a bug: helm applies -f files the same way
      // (a later map merges into what the earlier layers left, a scalar in between resets it).
      const a = { tag: { a: [] } };
      const b = { tag: 0 };
      const c = { tag: {} };
      expect(mergeValues(a, b, c)).toEqual({ tag: {} });
      expect(mergeValues(mergeValues(a, b), c)).toEqual({ tag: {} });
      expect(mergeValues(a, mergeValues(b, c))).toEqual({ tag: { a: [] } });
    });

    it('has {} as identity on both sides', () => {
      fc.assert(fc.property(valuesTree, (x) => {
        expect(mergeValues(x, {})).toEqual(x);
        expect(mergeValues({}, x)).toEqual(x);
        expect(mergeValues(x)).toEqual(x);
      }));
    });

    it('is idempotent: merging x onto x is x', () => {
      fc.assert(fc.property(valuesTree, (x) => {
        expect(mergeValues(x, x)).toEqual(x);
      }));
    });

    it("always keeps the last layer's leaf values, and null leaves delete", () => {
      fc.assert(fc.property(valuesTreeWithNulls, valuesTreeWithNulls, (base, last) => {
        const merged = mergeValues(base, last);
        for (const path of leafPaths(last)) {
          const value = valueAt(last, path);
          if (value === null) {
            expect(valueAt(merged, path)).toBeUndefined();
          } else if (!(typeof value === 'object' && !Array.isArray(value))) {
            // scalars and lists replace; empty maps merge with what is there, so they are skipped
            expect(valueAt(merged, path)).toEqual(value);
          }
        }
      }));
    });

    it('never modifies its inputs', () => {
      fc.assert(fc.property(valuesTreeWithNulls, valuesTreeWithNulls, (a, b) => {
        const before = [structuredClone(a), structuredClone(b)];
        mergeValues(a, b);
        expect([a, b]).toEqual(before);
      }));
    });
  });
});

describe('leafPaths', () => {
  it('lists the leaf paths as segment arrays', () => {
    expect(leafPaths({ replicaCount: 1, image: { repository: 'r', tag: 't' } })).toEqual([
      ['replicaCount'], ['image', 'repository'], ['image', 'tag'],
    ]);
  });

  it('treats lists and empty maps as leaves', () => {
    expect(leafPaths({ args: [{ a: 1 }], empty: {}, n: null })).toEqual([['args'], ['empty'], ['n']]);
  });

  it('returns nothing for {}', () => {
    expect(leafPaths({})).toEqual([]);
  });
});

describe('getPath', () => {
  const values = { image: { tag: '1.0', pull: { secrets: ['s'] } }, replicaCount: 0, off: false };

  it('reads top-level and nested values at a dotted path', () => {
    expect(getPath(values, 'replicaCount')).toBe(0);
    expect(getPath(values, 'off')).toBe(false);
    expect(getPath(values, 'image.tag')).toBe('1.0');
    expect(getPath(values, 'image.pull.secrets')).toEqual(['s']);
    expect(getPath(values, 'image')).toEqual(values.image);
  });

  it('returns undefined for missing paths and paths through non-maps', () => {
    expect(getPath(values, 'nope')).toBeUndefined();
    expect(getPath(values, 'image.nope.deeper')).toBeUndefined();
    expect(getPath(values, 'image.tag.length')).toBeUndefined();
    expect(getPath(values, 'image.pull.secrets.0')).toBeUndefined();
  });

  it('returns undefined for names of inherited Object members (bug: returns Object.prototype members)', () => {
    // getPath reads current[segment] without an own-property check (src/core/values.ts line 77),
    // so a path that is not in the values returns a function instead of undefined.
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({ image: {} }, 'image.toString')).toBeUndefined();
  });
});

describe('disallowedParameterPaths', () => {
  it('allows a path listed exactly', () => {
    expect(disallowedParameterPaths({ replicaCount: 3 }, ['replicaCount'])).toEqual([]);
    expect(disallowedParameterPaths({ ingress: { host: 'a.example' } }, ['ingress.host'])).toEqual([]);
  });

  it('lets an ancestor path cover all its descendants', () => {
    expect(disallowedParameterPaths({ ingress: { host: 'h', tls: { enabled: true, secret: 's' } } }, ['ingress'])).toEqual([]);
    expect(disallowedParameterPaths({ ingress: { tls: { enabled: true } } }, ['ingress.tls'])).toEqual([]);
  });

  it('does not let a path cover its siblings, its parent or keys sharing a prefix', () => {
    expect(disallowedParameterPaths({ ingress: { host: 'h', className: 'c' } }, ['ingress.host'])).toEqual(['ingress.className']);
    expect(disallowedParameterPaths({ ingress: 'off' }, ['ingress.host'])).toEqual(['ingress']);
    expect(disallowedParameterPaths({ imageTag: 'x' }, ['image'])).toEqual(['imageTag']);
  });

  it('reports every path outside the allowlist, by dotted name', () => {
    expect(disallowedParameterPaths({ replicaCount: 2, image: { tag: 'x', repository: 'evil' }, resources: {} }, ['replicaCount', 'image.tag']))
      .toEqual(['image.repository', 'resources']);
  });

  it('reports nothing for empty parameters, even with an empty allowlist', () => {
    expect(disallowedParameterPaths({}, [])).toEqual([]);
    expect(disallowedParameterPaths({}, ['a'])).toEqual([]);
  });

  it('reports an empty map at a path that is not allowed', () => {
    expect(disallowedParameterPaths({ resources: {} }, [])).toEqual(['resources']);
    expect(disallowedParameterPaths({ resources: {} }, ['resources'])).toEqual([]);
  });

  it('treats arrays as leaves: an allowed list path covers the list, an index path does not', () => {
    expect(disallowedParameterPaths({ hosts: [{ name: 'a' }] }, ['hosts'])).toEqual([]);
    expect(disallowedParameterPaths({ hosts: [{ name: 'a' }] }, ['hosts.0.name'])).toEqual(['hosts']);
  });

  describe('properties', () => {
    it('reports nothing when the allowlist is the leaf paths of the parameters', () => {
      fc.assert(fc.property(valuesTree, (params) => {
        const allowlist = leafPaths(params).map((p) => p.join('.'));
        expect(disallowedParameterPaths(params, allowlist)).toEqual([]);
      }));
    });

    it('always reports a path no allowed path is an ancestor of', () => {
      fc.assert(fc.property(segments, fc.array(segments, { maxLength: 6 }), leafValue, (path, candidates, value) => {
        const allowlist = candidates.filter((a) => !isPrefix(a, path)).map((a) => a.join('.'));
        expect(disallowedParameterPaths(atPath(path, value), allowlist)).toEqual([path.join('.')]);
      }));
    });

    it('never reports a path some allowed path is an ancestor of', () => {
      fc.assert(fc.property(segments, fc.nat(), fc.array(segments, { maxLength: 3 }), leafValue, (path, cut, others, value) => {
        const ancestor = path.slice(0, 1 + (cut % path.length));
        const allowlist = [...others.map((a) => a.join('.')), ancestor.join('.')];
        expect(disallowedParameterPaths(atPath(path, value), allowlist)).toEqual([]);
      }));
    });

    it('reports a subset of the leaf paths', () => {
      fc.assert(fc.property(valuesTree, fc.array(segments, { maxLength: 4 }), (params, allow) => {
        const leaves = leafPaths(params).map((p) => p.join('.'));
        for (const reported of disallowedParameterPaths(params, allow.map((a) => a.join('.')))) {
          expect(leaves).toContain(reported);
        }
      }));
    });
  });
});
