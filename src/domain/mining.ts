/** Bitcoin mining economics from difficulty, reward, price and power: what one TH/s earns and what
 * one BTC costs in electricity. Formulas are in docs/architecture.md, "Domain formulas". */

import {
  requireAtLeast,
  requireFractionBelowOne,
  requireNonNegative,
  requireNonNegativeInteger,
  requirePositive,
} from "./guards.ts";
import {
  EH,
  kwhPerDayFromWatts,
  PH,
  SATS_PER_BTC,
  SECONDS_PER_DAY,
  TARGET_BLOCK_SECONDS,
  TH,
} from "./units.ts";

export const BLOCKS_PER_DAY = 144;
export const TWO_POW_32 = 2 ** 32;

const HALVING_INTERVAL_BLOCKS = 210_000;
const INITIAL_SUBSIDY_SATS = 50 * SATS_PER_BTC;
/** Consensus stops at 64 halvings because a 64-bit right shift is undefined in C++. */
const MAX_HALVINGS = 64;

export function subsidyBtc(height: number): number {
  requireNonNegativeInteger("height", height);
  const halvings = Math.floor(height / HALVING_INTERVAL_BLOCKS);
  if (halvings >= MAX_HALVINGS) return 0;
  // Consensus halves an integer amount of sats (a right shift), so odd amounts round down; dividing
  // by a power of two is exact in floating point, so floor() reproduces the shift.
  return Math.floor(INITIAL_SUBSIDY_SATS / 2 ** halvings) / SATS_PER_BTC;
}

/** Difficulty D means on average D × 2^32 hashes per block; one block per 600 s gives the rate. */
export function hashrateHsFromDifficulty(difficulty: number): number {
  requirePositive("difficulty", difficulty);
  return (difficulty * TWO_POW_32) / TARGET_BLOCK_SECONDS;
}

export function hashrateEhsFromDifficulty(difficulty: number): number {
  return hashrateHsFromDifficulty(difficulty) / EH;
}

/** Inverse of hashrateHsFromDifficulty, for a user who states the network hashrate instead. */
export function difficultyFromHashrateEhs(ehs: number): number {
  requirePositive("hashrate EH/s", ehs);
  return (ehs * EH * TARGET_BLOCK_SECONDS) / TWO_POW_32;
}

export interface MiningInputs {
  difficulty: number;
  btcPriceUsd: number;
  subsidyBtc: number;
  /** Average transaction fees per block. */
  feesPerBlockBtc: number;
  efficiencyJPerTh: number;
  usdPerKwh: number;
  /** Power usage effectiveness: facility power ÷ machine power, ≥ 1. */
  pue: number;
  /** Fraction 0..1 kept by the pool. */
  poolFee: number;
}

export interface MiningEconomics {
  networkHashrateEhs: number;
  rewardPerBlockBtc: number;
  btcPerThDay: number;
  kwhPerThDay: number;
  energyPerBtcKwh: number;
  costPerBtcUsd: number;
  hashpriceUsdPerPhDay: number;
  breakEvenUsdPerKwh: number;
  marginPct: number;
  sensitivityUsdPerCent: number;
}

function validateInputs(i: MiningInputs): void {
  requirePositive("difficulty", i.difficulty);
  // Price divides the margin, so a zero price has no meaningful answer.
  requirePositive("btcPriceUsd", i.btcPriceUsd);
  requireNonNegative("subsidyBtc", i.subsidyBtc);
  requireNonNegative("feesPerBlockBtc", i.feesPerBlockBtc);
  // Zero reward would make the energy per BTC infinite.
  requirePositive("subsidyBtc + feesPerBlockBtc", i.subsidyBtc + i.feesPerBlockBtc);
  requirePositive("efficiencyJPerTh", i.efficiencyJPerTh);
  // Free power is a legitimate what-if (stranded energy), negative prices are not modelled.
  requireNonNegative("usdPerKwh", i.usdPerKwh);
  requireAtLeast("pue", 1, i.pue);
  requireFractionBelowOne("poolFee", i.poolFee);
}

/** Expected BTC per day for one TH/s before the pool's cut: its share of all hashes × blocks × reward,
 * written as 1e12 × 86,400 / (D × 2^32) blocks per day × R. */
function grossBtcPerThDay(difficulty: number, rewardBtc: number): number {
  return ((TH * SECONDS_PER_DAY) / (difficulty * TWO_POW_32)) * rewardBtc;
}

export function miningEconomics(i: MiningInputs): MiningEconomics {
  validateInputs(i);
  const rewardPerBlockBtc = i.subsidyBtc + i.feesPerBlockBtc;
  const grossBtc = grossBtcPerThDay(i.difficulty, rewardPerBlockBtc);
  const btcPerThDay = grossBtc * (1 - i.poolFee);
  // An efficiency in J/TH is the power in W drawn by 1 TH/s.
  const kwhPerThDay = kwhPerDayFromWatts(i.efficiencyJPerTh) * i.pue;
  const energyPerBtcKwh = kwhPerThDay / btcPerThDay;
  const costPerBtcUsd = energyPerBtcKwh * i.usdPerKwh;
  return {
    networkHashrateEhs: hashrateEhsFromDifficulty(i.difficulty),
    rewardPerBlockBtc,
    btcPerThDay,
    kwhPerThDay,
    energyPerBtcKwh,
    costPerBtcUsd,
    // Hashprice is the market's quote per PH/s, conventionally before any pool fee.
    hashpriceUsdPerPhDay: (PH / TH) * grossBtc * i.btcPriceUsd,
    breakEvenUsdPerKwh: (btcPerThDay * i.btcPriceUsd) / kwhPerThDay,
    marginPct: ((i.btcPriceUsd - costPerBtcUsd) / i.btcPriceUsd) * 100,
    // Each cent per kWh adds energyPerBtc × $0.01 to the cost of one BTC.
    sensitivityUsdPerCent: energyPerBtcKwh * 0.01,
  };
}

export interface MachineEconomics {
  revenueUsdPerDay: number;
  powerCostUsdPerDay: number;
  profitUsdPerDay: number;
  /** Days to earn back the purchase price at today's numbers; null without a price or a profit. */
  paybackDays: number | null;
}

export function machineEconomics(
  m: { hashrateThs: number; powerW: number; priceUsd?: number },
  i: MiningInputs,
): MachineEconomics {
  requirePositive("hashrateThs", m.hashrateThs);
  requirePositive("powerW", m.powerW);
  if (m.priceUsd !== undefined) requireNonNegative("priceUsd", m.priceUsd);
  const { btcPerThDay } = miningEconomics(i);
  const revenueUsdPerDay = m.hashrateThs * btcPerThDay * i.btcPriceUsd;
  // The machine's nameplate power, not hashrate × fleet efficiency: a named machine has its own.
  const powerCostUsdPerDay = kwhPerDayFromWatts(m.powerW) * i.pue * i.usdPerKwh;
  const profitUsdPerDay = revenueUsdPerDay - powerCostUsdPerDay;
  const paybackDays = m.priceUsd !== undefined && profitUsdPerDay > 0 ? m.priceUsd / profitUsdPerDay : null;
  return { revenueUsdPerDay, powerCostUsdPerDay, profitUsdPerDay, paybackDays };
}
