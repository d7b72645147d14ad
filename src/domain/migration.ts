/** Where mining pays: regions ranked by electricity cost per BTC, spare power as hashrate, and what a
 * move of hashrate between regions does to geographic concentration and the network's average cost. */

import { concentration } from "./concentration.ts";
import { requireNonNegative, requirePositive } from "./guards.ts";
import { type MiningInputs, miningEconomics } from "./mining.ts";

export interface RegionCostInput {
  id: string;
  name: string;
  usdPerKwh: number;
  sharePct: number;
}

export interface RegionCost {
  id: string;
  name: string;
  usdPerKwh: number;
  costPerBtcUsd: number;
  /** Electricity alone costs more than one BTC sells for. */
  underwater: boolean;
  sharePct: number;
}

export function rankRegionsByCost(
  regions: RegionCostInput[],
  base: Omit<MiningInputs, "usdPerKwh">,
): RegionCost[] {
  return regions
    .map((r) => {
      const { costPerBtcUsd } = miningEconomics({ ...base, usdPerKwh: r.usdPerKwh });
      return {
        id: r.id,
        name: r.name,
        usdPerKwh: r.usdPerKwh,
        costPerBtcUsd,
        underwater: costPerBtcUsd > base.btcPriceUsd,
        sharePct: r.sharePct,
      };
    })
    .sort((a, b) => a.costPerBtcUsd - b.costPerBtcUsd || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Hashrate that spare power can run. MW / (J/TH) is already EH/s:
 * 100 MW = 1e8 W = 1e8 J/s; ÷ 20 J/TH = 5e6 TH/s; ÷ 1e6 TH per EH = 5 EH/s.
 * The 1e6 of MW→W and the 1e6 of TH→EH cancel. */
export function capacityEhs(megawatts: number, efficiencyJPerTh: number): number {
  requireNonNegative("megawatts", megawatts);
  requirePositive("efficiencyJPerTh", efficiencyJPerTh);
  return megawatts / efficiencyJPerTh;
}

export interface ConcentrationSummary {
  hhi: number;
  nakamotoCoefficient: number | null;
  /** Hashrate-weighted over the listed regions only: unlisted hashrate has no known power price. */
  avgCostPerBtcUsd: number;
}

export interface MigrationScenario {
  from: string;
  to: string;
  movedEhs: number;
  before: ConcentrationSummary;
  after: ConcentrationSummary;
  /** Region id → share of all hashrate (listed and other), percent. */
  sharesBefore: Record<string, number>;
  sharesAfter: Record<string, number>;
}

interface RegionHashrate {
  id: string;
  hashrateEhs: number;
  costPerBtcUsd: number;
}

function summarize(regions: RegionHashrate[], otherEhs: number): ConcentrationSummary {
  const { hhi, nakamotoCoefficient } = concentration(
    regions.map((r) => ({ name: r.id, weight: r.hashrateEhs })),
    { unattributedWeight: otherEhs },
  );
  const listedEhs = regions.reduce((sum, r) => sum + r.hashrateEhs, 0);
  const weightedCost = regions.reduce((sum, r) => sum + r.hashrateEhs * r.costPerBtcUsd, 0);
  return { hhi, nakamotoCoefficient, avgCostPerBtcUsd: weightedCost / listedEhs };
}

function sharesPct(regions: RegionHashrate[], totalEhs: number): Record<string, number> {
  return Object.fromEntries(regions.map((r) => [r.id, (r.hashrateEhs / totalEhs) * 100]));
}

/** A move of hashrate keeps the network total: only its distribution and its cost change. */
export function moveHashrate(
  regions: RegionHashrate[],
  move: { from: string; to: string; movedEhs: number },
  otherEhs = 0,
): MigrationScenario {
  requireNonNegative("otherEhs", otherEhs);
  const ids = new Set<string>();
  for (const r of regions) {
    if (ids.has(r.id)) throw new RangeError(`duplicate region id: ${r.id}`);
    ids.add(r.id);
    requireNonNegative(`hashrateEhs of ${r.id}`, r.hashrateEhs);
    requireNonNegative(`costPerBtcUsd of ${r.id}`, r.costPerBtcUsd);
  }
  if (move.from === move.to) throw new RangeError(`from and to are the same region: ${move.from}`);
  const from = regions.find((r) => r.id === move.from);
  if (from === undefined) throw new RangeError(`unknown region id (from): ${move.from}`);
  if (!ids.has(move.to)) throw new RangeError(`unknown region id (to): ${move.to}`);
  requirePositive("movedEhs", move.movedEhs);
  if (move.movedEhs > from.hashrateEhs) {
    throw new RangeError(
      `movedEhs ${move.movedEhs} exceeds ${move.from}'s hashrate ${from.hashrateEhs} EH/s`,
    );
  }

  const moved = regions.map((r) => {
    if (r.id === move.from) return { ...r, hashrateEhs: r.hashrateEhs - move.movedEhs };
    if (r.id === move.to) return { ...r, hashrateEhs: r.hashrateEhs + move.movedEhs };
    return { ...r };
  });
  const totalEhs = regions.reduce((sum, r) => sum + r.hashrateEhs, 0) + otherEhs;
  return {
    from: move.from,
    to: move.to,
    movedEhs: move.movedEhs,
    before: summarize(regions, otherEhs),
    after: summarize(moved, otherEhs),
    sharesBefore: sharesPct(regions, totalEhs),
    sharesAfter: sharesPct(moved, totalEhs),
  };
}
