// Kubernetes resource quantities ("500m", "4Gi", "1e3"), parsed to numbers for comparisons.

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Parses a Kubernetes quantity into its value in base units (cores, bytes).
 * Returns undefined when `value` is not a quantity.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const match = QUANTITY.exec(value);
  if (!match) {
    return undefined;
  }
  const [, digits, suffix] = match;
  const factor = suffix === undefined ? 1 : /^[eE][+-]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  const result = Number(digits) * factor;
  return Number.isFinite(result) ? result : undefined;
}

/**
 * Checks that `value` is a positive quantity (or zero when `allowZero`); returns a problem
 * sentence naming the field and the value, or undefined.
 */
export function quantityProblem(field: string, value: unknown, allowZero = false): string | undefined {
  const parsed = parseQuantity(value);
  if (parsed === undefined) {
    return `${field} ${JSON.stringify(value)} is not a Kubernetes quantity: write it like "500m", "2", "4Gi" or "10G"`;
  }
  if (parsed < 0 || (!allowZero && parsed === 0)) {
    return `${field} ${JSON.stringify(value)} must be greater than zero`;
  }
  return undefined;
}
