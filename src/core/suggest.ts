/** "Did you mean …" for near misses in command names, option names, choices and catalogs. */

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const substitution = diagonal + (a[i - 1] === b[j - 1] ? 0 : 1);
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, substitution);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Lower-case, without spaces, dashes, dots or underscores: "S21 XP" and "s21-xp" compare equal. */
export function normalizeName(value: string): string {
  return value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\+/g, "plus")
    .replace(/[^a-z0-9]/g, "");
}

/** The closest candidate, if it is close enough to be a typo or a prefix of the input. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalizeName(input);
  if (!wanted) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const normalized = normalizeName(candidate);
    const distance = normalized.startsWith(wanted) ? 0.5 : editDistance(wanted, normalized);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const tolerance = Math.max(1, Math.floor(wanted.length / 3));
  return best && best.distance <= tolerance ? best.candidate : undefined;
}
