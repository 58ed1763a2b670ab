// Helm values: merging layers the way Helm does, and the consumer-parameter allowlist.

/** A tree of Helm values. */
export type Values = { [key: string]: unknown };

/** True for a plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges value layers, later layers winning, with Helm's semantics: maps merge key by key,
 * lists and scalars replace, and `null` removes a key set by an earlier layer.
 * The inputs are not modified.
 */
export function mergeValues(...layers: Array<Values | undefined>): Values {
  let result: Values = {};
  for (const layer of layers) {
    if (layer !== undefined) {
      result = mergeTwo(result, layer);
    }
  }
  return result;
}

function mergeTwo(base: Values, overlay: Values): Values {
  const result: Values = { ...base };
  // defined, not assigned: Helm treats "__proto__" as any other key, an assignment would set the prototype
  const set = (key: string, value: unknown) => Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(overlay)) {
    const current = Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined;
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(current)) {
      set(key, mergeTwo(current, value));
    } else {
      set(key, isPlainObject(value) ? mergeTwo({}, value) : typeof value === 'object' ? jsonCopy(value) : value);
    }
  }
  return result;
}

/** Splits a dotted value path ("ingress.host") into its segments. */
export function splitPath(path: string): string[] {
  return path.split('.');
}

/** Lists the leaf paths of a values tree as segment arrays (lists count as leaves). */
export function leafPaths(values: Values, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = [...prefix, key];
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      paths.push(...leafPaths(value, path));
    } else {
      paths.push(path);
    }
  }
  return paths;
}

/**
 * Returns the dotted paths in `parameters` that the allowlist does not cover. A path is covered
 * when an allowed path equals it or is one of its ancestors ("ingress" covers "ingress.host").
 */
export function disallowedParameterPaths(parameters: Values, allowlist: readonly string[]): string[] {
  const allowed = allowlist.map(splitPath);
  return leafPaths(parameters)
    .filter((path) => !allowed.some((a) => a.length <= path.length && a.every((segment, i) => segment === path[i])))
    .map((path) => path.join('.'));
}

/** Reads the value at a dotted path, or undefined. */
export function getPath(values: Values, path: string): unknown {
  let current: unknown = values;
  for (const segment of splitPath(path)) {
    if (!isPlainObject(current)) {
      return undefined;
    }
    current = Object.prototype.hasOwnProperty.call(current, segment) ? current[segment] : undefined;
  }
  return current;
}

/** How deep values may nest: far beyond any chart, well within what merging and rendering can hold. */
export const MAX_VALUES_DEPTH = 64;

/**
 * Problems of data that must be plain JSON (Helm values, shared objects): only null, booleans,
 * finite numbers, strings, arrays and plain objects, no cycles, nesting at most
 * {@link MAX_VALUES_DEPTH} levels. Checked without recursion; returns the first problem found.
 */
export function valuesShapeProblems(values: unknown, what: string): string[] {
  const fix = 'use only strings, numbers, booleans, null, arrays and plain objects';
  const where = (path: string[]) => (path.length ? ` at ${path.slice(0, 6).join('.')}${path.length > 6 ? '...' : ''}` : '');
  const ancestors = new Set<object>();
  const checked = new WeakSet<object>();
  type Step = { value: unknown; path: string[]; leave?: object };
  const stack: Step[] = [{ value: values, path: [] }];
  while (stack.length > 0) {
    const { value, path, leave } = stack.pop()!;
    if (leave) {
      ancestors.delete(leave);
      checked.add(leave);
      continue;
    }
    if (path.length > MAX_VALUES_DEPTH) {
      return [`${what} nest deeper than ${MAX_VALUES_DEPTH} levels${where(path)}: flatten them`];
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean') {
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return [`${what} hold the number ${value}${where(path)}, which JSON cannot carry: ${fix}`];
      continue;
    }
    if (typeof value !== 'object') {
      return [`${what} hold a ${typeof value}${where(path)}, which is not JSON data: ${fix}`];
    }
    if (ancestors.has(value)) {
      return [`${what} refer to themselves${where(path)} (a cycle): ${fix}`];
    }
    if (checked.has(value)) {
      continue;
    }
    const prototype = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
      return [`${what} hold a ${value.constructor?.name ?? 'class instance'}${where(path)}, which is not JSON data: ${fix} (write dates as strings)`];
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      return [`${what} have a Symbol key${where(path)}, which JSON cannot carry: ${fix}`];
    }
    ancestors.add(value);
    stack.push({ value: undefined, path, leave: value });
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) stack.push({ value: child, path: [...path, key] });
    }
  }
  return [];
}

/**
 * A copy of validated JSON data made in this realm: `structuredClone` builds its arrays in Node's
 * outer realm, which test runners' sandboxes (jest) and Pulumi's serializer (`instanceof Array`) do
 * not recognise, so a Pulumi program unit-tested under jest would register arrays as objects.
 */
export function jsonCopy<T>(data: T): T {
  return JSON.parse(JSON.stringify(data)) as T;
}
