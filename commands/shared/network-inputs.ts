/** The live network figures a mining answer needs, each either overridden by the user or fetched
 * through the NetworkData port (which falls back to cache and snapshot on its own). */
import { type Deps, fmt, type SourceRef, UserError } from "../../src/core/index.ts";
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

/** The machine efficiency option of mining_cost and migration. */
export const efficiencyOption = {
  name: "efficiency",
  description: "Efficiency in J/TH (default: fleet average 28.2)",
  type: "number",
  min: 1,
  max: 500,
  example: "17.5",
} as const;

/** The override options shared by mining_cost and migration. */
export const overrideOptions = {
  price: {
    name: "price",
    description: "BTC price in USD (default: live)",
    type: "number",
    min: 1,
    max: 10_000_000,
    example: "95000",
  },
  difficulty: {
    name: "difficulty",
    description: "Network difficulty (default: live)",
    type: "number",
    min: 1,
    // Mainnet was ~1.5e14 in 2025; the bound keeps every derived figure finite.
    max: 1e18,
    example: "1.5e14",
  },
  hashrate_ehs: {
    name: "hashrate_ehs",
    description: "Network hashrate in EH/s, turned into difficulty (default: live)",
    type: "number",
    min: 1,
    max: 1_000_000,
    example: "1100",
  },
  fees_btc: {
    name: "fees_btc",
    description: "Average fees per block in BTC (default: last 144 blocks)",
    type: "number",
    min: 0,
    max: 100,
    example: "0.03",
  },
  height: {
    name: "height",
    description: "Block height, sets the subsidy (default: tip)",
    type: "integer",
    min: 0,
    max: 13_440_000,
    example: "1050000",
  },
} as const;

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

/** "today's price" only when it is: an overridden, stale or snapshot price is "the price". */
export function priceWords(net: NetworkInputs): string {
  return net.priceIsLive ? "today's price" : "the price";
}
