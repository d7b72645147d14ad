/** "Did you mean …" for near misses in command names, option names, choices and catalogs. */
import { distance } from "fastest-levenshtein";

/** Levenshtein distance (insertions, deletions, substitutions), from fastest-levenshtein. */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}

/** Lower-case, without spaces, dashes, dots or underscores: "S21 XP" and "s21-xp" compare equal. */
export function normalizeName(value: string): string {
  return value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\+/g, "plus")
    .replace(/[^a-z0-9]/g, "");
}

/** How many edits a word of this length may carry and still be a typo: one for short words, two
 * from five letters ("texsa" → texas swaps two letters: two edits), three from nine. */
export function typoTolerance(length: number): number {
  if (length >= 9) return 3;
  if (length >= 5) return 2;
  return 1;
}

/** The closest candidate, if it is close enough to be a typo or a prefix of the input. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  return closestWithDistance(input, candidates)?.candidate;
}

export function closestWithDistance(
  input: string,
  candidates: readonly string[],
): { candidate: string; distance: number } | undefined {
  const wanted = normalizeName(input);
  if (!wanted) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const normalized = normalizeName(candidate);
    const d = normalized.startsWith(wanted) ? 0.5 : editDistance(wanted, normalized);
    if (!best || d < best.distance) best = { candidate, distance: d };
  }
  return best && best.distance <= typoTolerance(wanted.length) ? best : undefined;
}
