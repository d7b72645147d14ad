/** Preconditions for the domain functions. Callers validate user input first, so a failure here is a
 * programmer error; it throws RangeError with the argument's name so the bug is found where it starts,
 * instead of surfacing later as NaN or Infinity in an answer. */

function fail(name: string, requirement: string, value: number): never {
  throw new RangeError(`${name} must be ${requirement}, got ${value}`);
}

export function requireFinite(name: string, value: number): number {
  if (!Number.isFinite(value)) fail(name, "a finite number", value);
  return value;
}

export function requirePositive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) fail(name, "a finite number > 0", value);
  return value;
}

export function requireNonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) fail(name, "a finite number >= 0", value);
  return value;
}

export function requireAtLeast(name: string, min: number, value: number): number {
  if (!(Number.isFinite(value) && value >= min)) fail(name, `a finite number >= ${min}`, value);
  return value;
}

/** A fraction in [0, 1). The upper end is open because the callers divide by (1 − fraction). */
export function requireFractionBelowOne(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0 && value < 1)) fail(name, "a fraction in [0, 1)", value);
  return value;
}

export function requireNonNegativeInteger(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) fail(name, "an integer >= 0", value);
  return value;
}

export function requirePositiveInteger(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) fail(name, "an integer > 0", value);
  return value;
}
