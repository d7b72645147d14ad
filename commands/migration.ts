import {
  argsSchema,
  defineCommand,
  fmt,
  type KeyFigure,
  lookupNamed,
  numberOption,
  optionSpecs,
  type Region,
  type ReplyField,
  textOption,
  UserError,
} from "../src/core/index.ts";
import { moveHashrate, type RegionCost, rankRegionsByCost } from "../src/domain/migration.ts";
import { hashrateEhsFromDifficulty } from "../src/domain/mining.ts";
import { regionBars, shareBars, shortRegionName } from "./shared/charts.ts";
import {
  DEFAULT_POOL_FEE_PCT,
  EHS_UNITS,
  efficiencyOption,
  loadNetworkInputs,
  networkWidePowerPrice,
  overrideOptions,
  priceWords,
} from "./shared/network-inputs.ts";
import { action, snapshotSource, snapshotSources } from "./shared/sources.ts";

const options = {
  efficiency: efficiencyOption,
  price: overrideOptions.price,
  from: textOption("from", {
    description: "What-if: region hashrate moves out of",
    catalog: "region",
    example: "texas",
  }),
  to: textOption("to", {
    description: "What-if: region hashrate moves to",
    catalog: "region",
    example: "paraguay",
  }),
  ehs: numberOption("ehs", {
    description: "What-if: EH/s to move",
    min: 0.001,
    max: 100_000,
    example: "50",
    units: EHS_UNITS,
  }),
  share: numberOption("share", {
    description: "What-if: percent of the from-region's hashrate to move (instead of ehs)",
    min: 0.1,
    max: 100,
    example: "25",
    units: { "%": 1, pct: 1, percent: 1 },
  }),
};

export default defineCommand({
  name: "migration",
  description: "Regions ranked by cost per BTC, and what moving hashrate does to concentration",
  options: optionSpecs(options),
  args: argsSchema(options)
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
        // No share in the bundled vintage: ranked by price, but it carries no hashrate.
        sharePct: r.hashrateSharePct ?? 0,
      })),
      { ...net, efficiencyJPerTh, pue: 1, poolFee: DEFAULT_POOL_FEE_PCT / 100 },
    );
    // The same network-wide figure mining_cost answers with when no region is named.
    const networkPrice = networkWidePowerPrice(snapshot.regions);
    const countryIds = new Set(networkPrice.regionIds);
    const weighted = regions.filter((r) => countryIds.has(r.id));
    const avgCostPerBtcUsd =
      weighted.reduce((sum, r) => sum + r.sharePct * r.costPerBtcUsd, 0) /
      weighted.reduce((sum, r) => sum + r.sharePct, 0);
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
    fields.push({
      name: "Network-wide average",
      value: `${fmt.usd(avgCostPerBtcUsd)} per BTC at ${fmt.usdPerKwh(networkPrice.usdPerKwh)} (hashrate-weighted over ${weighted.length} countries, ${fmt.pct(networkPrice.coveredSharePct)} of hashrate)`,
    });
    const data: Record<string, unknown> = {
      regions,
      btcPriceUsd: net.btcPriceUsd,
      efficiencyJPerTh,
      avgCostPerBtcUsd,
      networkUsdPerKwh: networkPrice.usdPerKwh,
    };
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
        ? `fleet-average ${fleet.value} J/TH (industry-wide 2024 figure, ${fleet.source.publisher})`
        : `${efficiencyJPerTh} J/TH`;
    const estimated = snapshot.regions.filter((r) => r.price.estimate).map((r) => r.name);
    if (estimated.length)
      fields.push({
        name: "Estimated prices (~)",
        value: `${estimated.join(", ")}: our estimates from published figures (annual means of monthly data, range midpoints, currency conversions, or residential prices where no miner tariff is published).`,
      });
    fields.push({
      name: "Assumptions",
      value: `${efficiencyText}, PUE 1.0, pool fee ${DEFAULT_POOL_FEE_PCT}%; network ${fmt.num(networkEhs)} EH/s from difficulty; shares are one dated set of whole-network estimates (${snapshot.regions[0]!.share.asOf}).`,
    });
    const byId = new Map(snapshot.regions.map((r) => [r.id, r]));
    const shareCell = (id: string): string => {
      const region = byId.get(id)!;
      const country = region.partOf ? byId.get(region.partOf) : undefined;
      // Inside its country's share: a dash keeps the column narrow; the fold names the country.
      if (country) return "—";
      return region.hashrateSharePct === null ? "n/a" : fmt.pct(region.hashrateSharePct);
    };
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
      // Narrow enough for a phone: short names, units in the header, * marks a loss, ~ an estimated price.
      table: {
        columns: ["Region", "¢/kWh", "$k/BTC", "Share"],
        align: ["left", "right", "right", "right"],
        rows: regions.map((r) => [
          `${shortRegionName(r.name)}${r.underwater ? "*" : ""}`,
          `${byId.get(r.id)!.price.estimate ? "~" : ""}${fmt.sig(r.usdPerKwh * 100, 3)}`,
          fmt.num(r.costPerBtcUsd / 1000, 1),
          shareCell(r.id),
        ]),
      },
      sources: [
        ...net.sources,
        // Each price is dated by its own document, so one old tariff does not age the others.
        ...snapshotSources(
          "Power price",
          snapshot.regions.map((r) => ({ label: r.name, figure: r.price })),
        ),
        snapshotSource("Hashrate shares by country", snapshot.regions[0]!.share),
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
  if (from.hashrateSharePct === null) {
    const withShare = all.filter((r) => r.hashrateSharePct !== null && r.partOf === undefined);
    throw new UserError(
      "invalid_value",
      `${from.name} has no share in the bundled country shares (${from.share.source.publisher}, ${from.share.asOf}), so there is nothing to move out of it. Places with a share: ${withShare.map((r) => r.id).join(", ")}.`,
      { option: "from" },
    );
  }
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
