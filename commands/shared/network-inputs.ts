/** The live network figures a mining answer needs, each either overridden by the user or fetched
 * through the NetworkData port (which falls back to cache and snapshot on its own). */
import {
  type Deps,
  fmt,
  numberOption,
  type Region,
  type SourceRef,
  UserError,
} from "../../src/core/index.ts";
import { difficultyFromHashrateEhs, subsidyBtc } from "../../src/domain/mining.ts";

export interface NetworkOverrides {
  price?: number;
  difficulty?: number;
  hashrate_ehs?: number;
  fees_btc?: number;
  height?: number;
}

export interface NetworkInputs {
  btcPriceUsd: number;
  difficulty: number;
  subsidyBtc: number;
  feesPerBlockBtc: number;
  height: number;
  sources: SourceRef[];
  /** Which figures the user set, in the user's words, for the "Inputs" line. */
  overridden: string[];
  /** The price was fetched live (or is cached within its TTL), so "today's price" is true. */
  priceIsLive: boolean;
}

export async function loadNetworkInputs(deps: Deps, o: NetworkOverrides): Promise<NetworkInputs> {
  const { network } = deps;
  const [price, hashrate, reward, tip] = await Promise.all([
    o.price === undefined ? network.btcPriceUsd() : undefined,
    o.difficulty === undefined && o.hashrate_ehs === undefined ? network.hashrate() : undefined,
    o.fees_btc === undefined ? network.rewardStats() : undefined,
    o.height === undefined ? network.tipHeight() : undefined,
  ]);
  const overridden: string[] = [];
  if (o.price !== undefined) overridden.push("price");
  if (o.difficulty !== undefined) overridden.push("difficulty");
  if (o.hashrate_ehs !== undefined) overridden.push("hashrate_ehs");
  if (o.fees_btc !== undefined) overridden.push("fees_btc");
  if (o.height !== undefined) overridden.push("height");
  const height = o.height ?? tip!.value;
  const subsidy = subsidyBtc(height);
  const feesPerBlockBtc = o.fees_btc ?? reward!.value.feesPerBlockBtc;
  if (subsidy + feesPerBlockBtc <= 0) {
    throw new UserError(
      "invalid_value",
      `At height ${fmt.num(height)} the subsidy is 0, so a block pays only its fees: give fees_btc above 0.`,
      { option: "fees_btc", example: "/mining_cost height=7000000 fees_btc=0.5" },
    );
  }
  return {
    btcPriceUsd: o.price ?? price!.value,
    difficulty:
      o.difficulty ??
      (o.hashrate_ehs !== undefined ? difficultyFromHashrateEhs(o.hashrate_ehs) : hashrate!.value.difficulty),
    subsidyBtc: subsidy,
    feesPerBlockBtc,
    height,
    sources: [price, hashrate, reward, tip].flatMap((d) => (d ? [d.source] : [])),
    overridden,
    priceIsLive: price !== undefined && (price.source.status === "live" || price.source.status === "cached"),
  };
}

/** Hashrate units a user may write, each in EH/s. */
export const EHS_UNITS = {
  "eh/s": 1,
  ehs: 1,
  eh: 1,
  exahash: 1,
  "ph/s": 1e-3,
  phs: 1e-3,
  ph: 1e-3,
  "zh/s": 1e3,
};

/** The machine efficiency option of mining_cost and migration. */
export const efficiencyOption = numberOption("efficiency", {
  description: "Efficiency in J/TH (default: fleet average 28.2)",
  min: 1,
  max: 500,
  example: "17.5",
  units: { "j/th": 1, jth: 1, "w/th": 1 },
});

/** The override options shared by mining_cost and migration. */
export const overrideOptions = {
  price: numberOption("price", {
    description: "BTC price in USD (default: live)",
    min: 1,
    max: 10_000_000,
    example: "95000",
    units: { $: 1, usd: 1 },
    kilo: 1000,
  }),
  difficulty: numberOption("difficulty", {
    description: "Network difficulty (default: live)",
    min: 1,
    // Mainnet was ~1.5e14 in 2025; the bound keeps every derived figure finite.
    max: 1e18,
    example: "1.5e14",
    units: { t: 1e12 },
  }),
  hashrate_ehs: numberOption("hashrate_ehs", {
    description: "Network hashrate in EH/s, turned into difficulty (default: live)",
    min: 1,
    max: 1_000_000,
    example: "1100",
    units: EHS_UNITS,
  }),
  fees_btc: numberOption("fees_btc", {
    description: "Average fees per block in BTC (default: last 144 blocks)",
    min: 0,
    max: 100,
    example: "0.03",
    units: { btc: 1 },
  }),
  height: numberOption("height", {
    description: "Block height, sets the subsidy (default: tip)",
    integer: true,
    min: 0,
    max: 13_440_000,
    example: "1050000",
  }),
};

/** One line that shows every input the answer used, so the reader can redo the arithmetic. */
export function describeNetwork(
  net: NetworkInputs,
  own: { efficiencyJPerTh: number; usdPerKwh: number; pue: number; poolFeePct: number },
): string {
  return [
    `price ${fmt.usd(net.btcPriceUsd)}`,
    `difficulty ${(net.difficulty / 1e12).toFixed(2)} T`,
    `reward ${fmt.sig(net.subsidyBtc + net.feesPerBlockBtc, 4)} BTC/block (subsidy ${net.subsidyBtc} + fees ${fmt.sig(net.feesPerBlockBtc, 3)}, height ${fmt.num(net.height)})`,
    `${fmt.num(own.efficiencyJPerTh, 1)} J/TH`,
    `${fmt.usdPerKwh(own.usdPerKwh)}`,
    `PUE ${fmt.num(own.pue, 2)}`,
    `pool fee ${own.poolFeePct}%`,
    ...(net.overridden.length ? [`set by you: ${net.overridden.join(", ")}`] : []),
  ].join(" · ");
}

/** The pool fee every mining answer assumes unless told otherwise (percent of the reward), so
 * mining_cost and migration price the same hashrate the same way. */
export const DEFAULT_POOL_FEE_PCT = 2;

/** The places whose hashrate and price make up the network-wide average: countries with a share in the
 * bundled vintage. Parts of a country (Texas) are already inside their country's share. */
export function weightedRegions(regions: readonly Region[]): Array<Region & { hashrateSharePct: number }> {
  return regions.filter(
    (r): r is Region & { hashrateSharePct: number } =>
      r.partOf === undefined && r.hashrateSharePct !== null && r.hashrateSharePct > 0,
  );
}

/**
 * The network's power price: each country's price weighted by its share of hashrate, over the countries
 * that have a share (the weights are renormalised to what is listed). Cost per BTC is linear in the
 * price, so the cost at this price is the hashrate-weighted average of the countries' costs — the
 * figure migration reports as the network's average.
 */
export function networkWidePowerPrice(regions: readonly Region[]): {
  usdPerKwh: number;
  /** Share of network hashrate the weighted countries cover, 0–100. */
  coveredSharePct: number;
  regionIds: string[];
} {
  const weighted = weightedRegions(regions);
  const coveredSharePct = weighted.reduce((sum, r) => sum + r.hashrateSharePct, 0);
  if (coveredSharePct <= 0) throw new RangeError("no region has a hashrate share to weight by");
  const usdPerKwh = weighted.reduce((sum, r) => sum + r.hashrateSharePct * r.usdPerKwh, 0) / coveredSharePct;
  return { usdPerKwh, coveredSharePct, regionIds: weighted.map((r) => r.id) };
}

/** "today's price" only when it is: an overridden, stale or snapshot price is "the price". */
export function priceWords(net: NetworkInputs): string {
  return net.priceIsLive ? "today's price" : "the price";
}
