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
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = mergeTwo(result[key] as Values, value);
    } else {
      result[key] = isPlainObject(value) ? mergeTwo({}, value) : structuredClone(value);
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

/** Problems of a values tree nesting deeper than {@link MAX_VALUES_DEPTH} (checked without recursion). */
export function valuesShapeProblems(values: Values, what: string): string[] {
  const stack: Array<{ value: unknown; depth: number; path: string[] }> = [{ value: values, depth: 0, path: [] }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (depth > MAX_VALUES_DEPTH) {
      return [`${what} nest deeper than ${MAX_VALUES_DEPTH} levels (at ${path.slice(0, 3).join('.')}...): flatten them`];
    }
    const children = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isPlainObject(value) ? Object.entries(value) : [];
    for (const [key, child] of children) {
      stack.push({ value: child, depth: depth + 1, path: [...path, key] });
    }
  }
  return [];
}
