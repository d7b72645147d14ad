import { z } from "zod";
import {
  defineCommand,
  fmt,
  type KeyFigure,
  lookupNamed,
  numberArg,
  type Region,
  type ReplyField,
  type Sourced,
  textArg,
  UserError,
} from "../src/core/index.ts";
import { moveHashrate, type RegionCost, rankRegionsByCost } from "../src/domain/migration.ts";
import { hashrateEhsFromDifficulty } from "../src/domain/mining.ts";
import { regionBars, shareBars, shortRegionName } from "./shared/charts.ts";
import { efficiencyOption, loadNetworkInputs, overrideOptions, priceWords } from "./shared/network-inputs.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const options = {
  efficiency: efficiencyOption,
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
    .refine((a) => a.ehs === undefined || a.share === undefined, { message: "Give ehs or share, not both" })
    .refine((a) => a.from !== undefined || (a.ehs === undefined && a.share === undefined), {
      message: "ehs and share belong to a what-if: add from and to (e.g. from=us_average to=paraguay)",
    }),
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
    const regions = rankRegionsByCost(
      snapshot.regions.map((r) => ({
        id: r.id,
        name: r.name,
        usdPerKwh: r.usdPerKwh,
        sharePct: r.hashrateSharePct,
      })),
      { ...net, efficiencyJPerTh, pue: 1, poolFee: 0 },
    );
    const networkEhs = hashrateEhsFromDifficulty(net.difficulty);
    const underwater = regions.filter((r) => r.underwater).map((r) => r.name);
    const cheapest = regions[0]!;
    const dearest = regions.at(-1)!;
    const atPrice = priceWords(net);
    let summary = `At ${fmt.num(efficiencyJPerTh, 1)} J/TH and ${fmt.usd(net.btcPriceUsd)} per BTC, ${cheapest.name} is cheapest (${fmt.usd(cheapest.costPerBtcUsd)} per BTC); ${underwater.length} of ${regions.length} regions mine at a loss.`;
    let headline = `${cheapest.name} mines 1 BTC cheapest at ${fmt.usd(cheapest.costPerBtcUsd)}; ${underwater.length} of ${regions.length} regions lose money at ${atPrice} of ${fmt.usd(net.btcPriceUsd)}.`;
    let figures: KeyFigure[] = [
      { label: "Cheapest", value: `${cheapest.name} ${fmt.usd(cheapest.costPerBtcUsd)}` },
      { label: "Dearest", value: `${dearest.name} ${fmt.usd(dearest.costPerBtcUsd)}` },
      { label: "BTC price", value: fmt.usd(net.btcPriceUsd) },
      { label: "Under water", value: `${underwater.length} of ${regions.length} regions` },
    ];
    let chart = regionBars(
      regions.map((r) => ({ name: r.name, costPerBtcUsd: r.costPerBtcUsd })),
      net.btcPriceUsd,
    );
    const fields: ReplyField[] = [
      { name: `Under water at ${atPrice}`, value: underwater.join(", ") || "none" },
    ];
    const data: Record<string, unknown> = { regions, btcPriceUsd: net.btcPriceUsd, efficiencyJPerTh };
    if (args.from && args.to) {
      const what = whatIf(snapshot.regions, regions, networkEhs, {
        from: args.from,
        to: args.to,
        ehs: args.ehs,
        share: args.share,
      });
      data.scenario = what.scenario;
      summary = what.summary;
      headline = what.headline;
      figures = what.figures;
      chart = what.chart;
      fields.push(...what.fields);
    }
    const efficiencyText =
      args.efficiency === undefined
        ? `fleet-average ${fleet.value} J/TH (${fleet.source})`
        : `${efficiencyJPerTh} J/TH`;
    fields.push({
      name: "Assumptions",
      value: `${efficiencyText}, PUE 1.0, no pool fee; network ${fmt.num(networkEhs)} EH/s from difficulty; shares are the latest published estimates.`,
    });
    const partOf = (id: string) => snapshot.regions.find((r) => r.id === id)?.partOf;
    return {
      headline,
      figures,
      chart,
      actions: [
        action(`Cost in ${shortRegionName(cheapest.name)}`, "mining_cost", { region: cheapest.id }),
        action("Concentration", "concentration", { layer: "countries" }),
        action("Sources", "sources", {}),
      ],
      title: "Where mining pays: cost per BTC by region",
      summary,
      fields,
      // Narrow enough for a phone: short names, units in the header, * marks a loss.
      table: {
        columns: ["Region", "¢/kWh", "$k/BTC", "Share"],
        align: ["left", "right", "right", "right"],
        rows: regions.map((r) => [
          `${shortRegionName(r.name)}${r.underwater ? "*" : ""}`,
          fmt.sig(r.usdPerKwh * 100, 3),
          fmt.num(r.costPerBtcUsd / 1000, 1),
          partOf(r.id) ? "—" : fmt.pct(r.sharePct),
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

/** Moves hashrate between countries and reports concentration and average cost before and after.
 * Sub-regions (Texas) have no share of their own, so they cannot be moved from or to. */
function whatIf(
  all: readonly Region[],
  ranked: readonly RegionCost[],
  networkEhs: number,
  move: { from: string; to: string; ehs: number | undefined; share: number | undefined },
) {
  const from = lookupNamed("region", all, move.from);
  const to = lookupNamed("region", all, move.to);
  for (const [option, region] of [
    ["from", from],
    ["to", to],
  ] as const) {
    const country = all.find((r) => r.id === region.partOf);
    if (country) {
      throw new UserError(
        "invalid_value",
        `${region.name} has no hashrate share of its own (it is counted in ${country.name}); use ${option}=${country.id}.`,
        { option, suggestion: country.id },
      );
    }
  }
  if (from.id === to.id)
    throw new UserError("invalid_value", "from and to are the same region.", { option: "to" });
  const countries = ranked.filter((r) => !all.find((s) => s.id === r.id)?.partOf);
  const ehsOf = (r: RegionCost) => (r.sharePct / 100) * networkEhs;
  const source = countries.find((r) => r.id === from.id)!;
  const movedEhs = move.ehs ?? (move.share !== undefined ? (ehsOf(source) * move.share) / 100 : undefined);
  if (movedEhs === undefined) {
    throw new UserError(
      "missing_value",
      "A what-if needs ehs (EH/s to move) or share (percent of the from-region's hashrate).",
      { option: "ehs", example: "/migration from=us_average to=paraguay ehs=50" },
    );
  }
  if (movedEhs > ehsOf(source)) {
    throw new UserError(
      "invalid_value",
      `${from.name} has about ${fmt.num(ehsOf(source), 1)} EH/s (${fmt.pct(source.sharePct)} of ${fmt.num(networkEhs)} EH/s); ehs must be at most that.`,
      { option: "ehs" },
    );
  }
  const listedEhs = countries.reduce((sum, r) => sum + ehsOf(r), 0);
  const { before, after } = moveHashrate(
    countries.map((r) => ({ id: r.id, hashrateEhs: ehsOf(r), costPerBtcUsd: r.costPerBtcUsd })),
    { from: from.id, to: to.id, movedEhs },
    Math.max(0, networkEhs - listedEhs),
  );
  const nc = (n: number | null) => n ?? "n/a";
  const afterShare = new Map(
    countries.map((r) => {
      const ehs = ehsOf(r) + (r.id === from.id ? -movedEhs : r.id === to.id ? movedEhs : 0);
      return [r.id, (ehs / networkEhs) * 100];
    }),
  );
  return {
    headline: `Moving ${fmt.num(movedEhs, 1)} EH/s from ${from.name} to ${to.name}: country HHI ${fmt.num(before.hhi)} → ${fmt.num(after.hhi)}, Nakamoto ${nc(before.nakamotoCoefficient)} → ${nc(after.nakamotoCoefficient)}.`,
    figures: [
      { label: "Country HHI", value: `${fmt.num(before.hhi)} → ${fmt.num(after.hhi)}` },
      {
        label: "Nakamoto (countries)",
        value: `${nc(before.nakamotoCoefficient)} → ${nc(after.nakamotoCoefficient)}`,
      },
      {
        label: "Average cost per BTC",
        value: `${fmt.usd(before.avgCostPerBtcUsd)} → ${fmt.usd(after.avgCostPerBtcUsd)}`,
      },
      {
        label: `${from.name} share`,
        value: `${fmt.pct(source.sharePct)} → ${fmt.pct(afterShare.get(from.id)!)}`,
      },
    ],
    chart: shareBars(
      `Hashrate share before and after moving ${fmt.num(movedEhs, 1)} EH/s`,
      countries
        .filter((r) => r.sharePct > 0 || r.id === to.id)
        .map((r) => ({ name: r.name, beforePct: r.sharePct, afterPct: afterShare.get(r.id)! })),
    ),
    scenario: { from: from.id, to: to.id, movedEhs, before, after },
    summary: `Moving ${fmt.num(movedEhs, 1)} EH/s from ${from.name} to ${to.name}: country HHI ${fmt.num(before.hhi)} → ${fmt.num(after.hhi)}, Nakamoto coefficient ${nc(before.nakamotoCoefficient)} → ${nc(after.nakamotoCoefficient)}, average cost per BTC ${fmt.usd(before.avgCostPerBtcUsd)} → ${fmt.usd(after.avgCostPerBtcUsd)}.`,
    fields: [
      {
        name: "Country HHI",
        value: `${fmt.num(before.hhi)} → ${fmt.num(after.hhi)} (0–10,000)`,
        inline: true,
      },
      {
        name: "Nakamoto coefficient (countries)",
        value: `${nc(before.nakamotoCoefficient)} → ${nc(after.nakamotoCoefficient)}`,
        inline: true,
      },
      {
        name: "Average cost per BTC",
        value: `${fmt.usd(before.avgCostPerBtcUsd)} → ${fmt.usd(after.avgCostPerBtcUsd)}`,
        inline: true,
      },
    ],
  };
}

/** Many figures as one source line, dated by the oldest so its age is never understated. */
function oldest(figures: Sourced[], what: string): Sourced {
  const first = figures.reduce((a, b) => (b.asOf < a.asOf ? b : a));
  return { source: `bundled snapshot, ${what} (each listed in /sources)`, asOf: first.asOf };
}
