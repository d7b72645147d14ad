import { z } from "zod";
import {
  defineCommand,
  fmt,
  lookupNamed,
  numberArg,
  type ReplyField,
  type Sourced,
  textArg,
  UserError,
} from "../src/core/index.ts";
import { moveHashrate, rankRegionsByCost } from "../src/domain/migration.ts";
import { hashrateEhsFromDifficulty } from "../src/domain/mining.ts";
import { loadNetworkInputs, overrideOptions } from "./shared/network-inputs.ts";
import { snapshotSource } from "./shared/sources.ts";

const options = {
  efficiency: {
    name: "efficiency",
    description: "Efficiency in J/TH (default: fleet average 28.2)",
    type: "number",
    min: 1,
    max: 500,
    example: "17.5",
  },
  price: overrideOptions.price,
  from: {
    name: "from",
    description: "What-if: region hashrate moves out of",
    type: "string",
    catalog: "region",
    example: "texas",
  },
  to: {
    name: "to",
    description: "What-if: region hashrate moves to",
    type: "string",
    catalog: "region",
    example: "paraguay",
  },
  ehs: {
    name: "ehs",
    description: "What-if: EH/s to move",
    type: "number",
    min: 0.001,
    max: 100_000,
    example: "50",
  },
  share: {
    name: "share",
    description: "What-if: percent of the from-region's hashrate to move (instead of ehs)",
    type: "number",
    min: 0.1,
    max: 100,
    example: "25",
  },
} as const;

export default defineCommand({
  name: "migration",
  description: "Regions ranked by cost per BTC, and what moving hashrate does to concentration",
  options: Object.values(options),
  args: z
    .object({
      efficiency: numberArg(options.efficiency).optional(),
      price: numberArg(options.price).optional(),
      from: textArg(options.from).optional(),
      to: textArg(options.to).optional(),
      ehs: numberArg(options.ehs).optional(),
      share: numberArg(options.share).optional(),
    })
    .refine((a) => (a.from === undefined) === (a.to === undefined), {
      message: "A what-if needs both from and to",
    })
    .refine((a) => a.ehs === undefined || a.share === undefined, { message: "Give ehs or share, not both" }),
  examples: [
    "/migration",
    "/migration from=us_average to=paraguay ehs=50",
    "/migration efficiency=15 price=80000",
  ],
  usesUpstream: true,
  async run(args, { deps }) {
    const { snapshot } = deps;
    const fleet = snapshot.fleetEfficiencyJPerTh;
    const efficiencyJPerTh = args.efficiency ?? fleet.value;
    const net = await loadNetworkInputs(deps, { price: args.price });
    const base = { ...net, efficiencyJPerTh, pue: 1, poolFee: 0 };
    const regions = rankRegionsByCost(
      snapshot.regions.map((r) => ({
        id: r.id,
        name: r.name,
        usdPerKwh: r.usdPerKwh,
        sharePct: r.hashrateSharePct,
      })),
      base,
    );
    const underwater = regions.filter((r) => r.underwater).map((r) => r.name);
    const fields: ReplyField[] = [
      { name: "Under water at today's price", value: underwater.length ? underwater.join(", ") : "none" },
    ];
    const data: Record<string, unknown> = { regions, btcPriceUsd: net.btcPriceUsd, efficiencyJPerTh };
    let summary = `At ${fmt.num(efficiencyJPerTh, 1)} J/TH and ${fmt.usd(net.btcPriceUsd)} per BTC, ${regions[0]!.name} is cheapest (${fmt.usd(regions[0]!.costPerBtcUsd)} per BTC); ${underwater.length} of ${regions.length} regions mine at a loss.`;

    if (args.from && args.to) {
      const from = lookupNamed("region", snapshot.regions, args.from);
      const to = lookupNamed("region", snapshot.regions, args.to);
      if (from.id === to.id)
        throw new UserError("invalid_value", "from and to are the same region.", { option: "to" });
      const networkEhs = hashrateEhsFromDifficulty(net.difficulty);
      const countries = regions.filter((r) => !snapshot.regions.find((s) => s.id === r.id)?.partOf);
      const countryOf = (id: string) => snapshot.regions.find((r) => r.id === id)?.partOf ?? id;
      const fromEhs = (countries.find((r) => r.id === countryOf(from.id))!.sharePct / 100) * networkEhs;
      const movedEhs = args.ehs ?? (args.share !== undefined ? (fromEhs * args.share) / 100 : undefined);
      if (movedEhs === undefined)
        throw new UserError(
          "missing_value",
          "A what-if needs ehs (EH/s to move) or share (percent of the from-region's hashrate).",
          { option: "ehs", example: "/migration from=us_average to=paraguay ehs=50" },
        );
      if (movedEhs > fromEhs)
        throw new UserError(
          "invalid_value",
          `${from.name} has about ${fmt.num(fromEhs, 1)} EH/s (${fmt.pct(countries.find((r) => r.id === countryOf(from.id))!.sharePct)} of ${fmt.num(networkEhs)} EH/s); ehs must be at most that.`,
          { option: "ehs" },
        );
      const listedEhs = countries.reduce((sum, r) => sum + (r.sharePct / 100) * networkEhs, 0);
      // Costs are per region's own power price; sub-regions move within their country's share.
      const scenario = moveHashrate(
        countries.map((r) => ({
          id: r.id,
          hashrateEhs: (r.sharePct / 100) * networkEhs,
          costPerBtcUsd: r.costPerBtcUsd,
        })),
        { from: countryOf(from.id), to: countryOf(to.id), movedEhs },
        Math.max(0, networkEhs - listedEhs),
      );
      const { before, after } = scenario;
      data.scenario = { from: from.id, to: to.id, movedEhs, before, after };
      summary = `Moving ${fmt.num(movedEhs, 1)} EH/s from ${from.name} to ${to.name}: country HHI ${fmt.num(before.hhi)} → ${fmt.num(after.hhi)}, Nakamoto coefficient ${before.nakamotoCoefficient ?? "n/a"} → ${after.nakamotoCoefficient ?? "n/a"}, average cost per BTC ${fmt.usd(before.avgCostPerBtcUsd)} → ${fmt.usd(after.avgCostPerBtcUsd)}.`;
      fields.push(
        {
          name: "Country HHI",
          value: `${fmt.num(before.hhi)} → ${fmt.num(after.hhi)} (0–10,000)`,
          inline: true,
        },
        {
          name: "Nakamoto coefficient (countries)",
          value: `${before.nakamotoCoefficient ?? "n/a"} → ${after.nakamotoCoefficient ?? "n/a"}`,
          inline: true,
        },
        {
          name: "Average cost per BTC",
          value: `${fmt.usd(before.avgCostPerBtcUsd)} → ${fmt.usd(after.avgCostPerBtcUsd)}`,
          inline: true,
        },
      );
    }
    fields.push({
      name: "Assumptions",
      value: `${args.efficiency === undefined ? `fleet-average ${fleet.value} J/TH (${fleet.source})` : `${efficiencyJPerTh} J/TH`}, PUE 1.0, no pool fee; network ${fmt.num(hashrateEhsFromDifficulty(net.difficulty))} EH/s from difficulty; shares are the latest published estimates.`,
    });
    return {
      title: "Where mining pays: cost per BTC by region",
      summary,
      fields,
      table: {
        columns: ["Region", "$/kWh", "Cost/BTC", "Share", ""],
        align: ["left", "right", "right", "right", "left"],
        rows: regions.map((r) => [
          r.name,
          fmt.sig(r.usdPerKwh, 3),
          fmt.usd(r.costPerBtcUsd),
          fmt.pct(r.sharePct),
          r.underwater ? "under water" : "",
        ]),
      },
      sources: [
        ...net.sources,
        snapshotSource(
          "Regional power prices",
          oldest(
            snapshot.regions.map((r) => r.price),
            "per-region tariffs",
          ),
        ),
        snapshotSource(
          "Hashrate shares by country",
          oldest(
            snapshot.regions.map((r) => r.share),
            "published estimates",
          ),
        ),
      ],
      data,
    };
  },
});

/** Many figures as one source line, dated by the oldest so its age is never understated. */
function oldest(figures: Sourced[], what: string): Sourced {
  const first = figures.reduce((a, b) => (b.asOf < a.asOf ? b : a));
  return { source: `bundled snapshot, ${what} (each listed in /sources)`, asOf: first.asOf };
}
