/** How concentrated a layer (pools, countries, ASIC makers) is: Nakamoto coefficient and HHI. */

import { requireNonNegative, requirePositive } from "./guards.ts";

export interface WeightedEntity {
  name: string;
  /** Any non-negative measure: blocks found, EH/s, market share. Only ratios matter. */
  weight: number;
}

export interface ConcentrationResult {
  /** Fewest named entities that together hold more than half; null when all of them together don't. */
  nakamotoCoefficient: number | null;
  /** Σ (100·s_i)² over named entities, 0–10,000. */
  hhi: number;
  /** Named entities with non-zero weight, largest share first. */
  entities: { name: string; sharePct: number }[];
  /** True when an unsplit remainder may hide large entities, so the HHI can only be higher. */
  lowerBound: boolean;
  unattributedPct: number;
}

/** US 2023 Merger Guidelines thresholds. */
export const HHI_HIGHLY_CONCENTRATED = 1800;
export const HHI_MODERATELY_CONCENTRATED = 1000;

export type HhiBand = "unconcentrated" | "moderately concentrated" | "highly concentrated";

/** Relative tolerance for "more than half": weights like 30.1 + 19.9 must count as exactly 50%, not as
 * 50.000000000000007% after floating-point summation. */
const MAJORITY_TOLERANCE = 1e-12;

export function concentration(
  entities: WeightedEntity[],
  opts: { unattributedWeight?: number; remainderIsUnsplit?: boolean } = {},
): ConcentrationResult {
  const unattributedWeight = requireNonNegative("unattributedWeight", opts.unattributedWeight ?? 0);
  const seen = new Set<string>();
  for (const e of entities) {
    requireNonNegative(`weight of ${e.name}`, e.weight);
    const key = e.name.toLowerCase();
    // Two rows for one name would split an entity and understate concentration.
    if (seen.has(key)) throw new RangeError(`duplicate entity name: ${e.name}`);
    seen.add(key);
  }
  const named = entities
    .filter((e) => e.weight > 0)
    .sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const namedWeight = named.reduce((sum, e) => sum + e.weight, 0);
  const total = requirePositive("total weight", namedWeight + unattributedWeight);

  let nakamotoCoefficient: number | null = null;
  let cumulative = 0;
  for (const [index, e] of named.entries()) {
    cumulative += e.weight;
    if (cumulative - total / 2 > total * MAJORITY_TOLERANCE) {
      nakamotoCoefficient = index + 1;
      break;
    }
  }

  const shares = named.map((e) => ({ name: e.name, sharePct: (e.weight * 100) / total }));
  // Unattributed weight is many unknown miners, not one: counting it as an entity would inflate HHI.
  const hhi = shares.reduce((sum, s) => sum + s.sharePct ** 2, 0);
  return {
    nakamotoCoefficient,
    hhi,
    entities: shares,
    // With nothing left over there is nothing unsplit, and the HHI is exact. A remainder at least as
    // large as the biggest named entity could itself hide the biggest entity, so the figures are then
    // floors whatever the caller says (most pool blocks "Unknown" must not read "unconcentrated").
    lowerBound:
      unattributedWeight > 0 &&
      (opts.remainderIsUnsplit === true || unattributedWeight >= (named[0]?.weight ?? 0)),
    unattributedPct: (unattributedWeight / total) * 100,
  };
}

/** Joins entities that act as one, e.g. pools mining on AntPool's block template. The group name
 * itself counts as a member so that merging twice changes nothing and never creates a duplicate. */
export function mergeEntities(
  entities: WeightedEntity[],
  groupName: string,
  members: string[],
): WeightedEntity[] {
  const memberKeys = new Set([groupName, ...members].map((m) => m.toLowerCase()));
  const result: WeightedEntity[] = [];
  let group: WeightedEntity | undefined;
  for (const e of entities) {
    if (!memberKeys.has(e.name.toLowerCase())) {
      result.push({ ...e });
    } else if (group === undefined) {
      // The group takes the place of its first member, keeping the caller's order otherwise.
      group = { name: groupName, weight: e.weight };
      result.push(group);
    } else {
      group.weight += e.weight;
    }
  }
  return result;
}

export function hhiBand(hhi: number): HhiBand {
  requireNonNegative("hhi", hhi);
  // Float sums of shares that add to 100% may land a hair above 10,000.
  if (hhi > 10_000 * (1 + 1e-9)) throw new RangeError(`hhi must be at most 10000, got ${hhi}`);
  if (hhi > HHI_HIGHLY_CONCENTRATED) return "highly concentrated";
  if (hhi >= HHI_MODERATELY_CONCENTRATED) return "moderately concentrated";
  return "unconcentrated";
}
