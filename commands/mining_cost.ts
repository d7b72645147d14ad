import {
  argsSchema,
  defineCommand,
  fmt,
  type KeyFigure,
  lookupNamed,
  numberOption,
  optionSpecs,
  type ReplyField,
  textOption,
  USD_PER_KWH_UNITS,
} from "../src/core/index.ts";
import { machineEconomics, miningEconomics } from "../src/domain/mining.ts";
import { costCurve } from "./shared/charts.ts";
import {
  DEFAULT_POOL_FEE_PCT,
  describeNetwork,
  efficiencyOption,
  loadNetworkInputs,
  networkWidePowerPrice,
  overrideOptions as o,
  priceWords,
  weightedRegions,
} from "./shared/network-inputs.ts";
import { action, snapshotSource, snapshotSources } from "./shared/sources.ts";

const options = {
  region: textOption("region", {
    description: "Where the power is bought (default: the hashrate-weighted network average)",
    catalog: "region",
    example: "paraguay",
  }),
  usd_per_kwh: numberOption("usd_per_kwh", {
    description: "Power price in USD per kWh (wins over region)",
    min: 0,
    max: 2,
    example: "0.045",
    units: USD_PER_KWH_UNITS,
  }),
  machine: textOption("machine", {
    description: "An ASIC model: sets efficiency and adds daily profit",
    catalog: "machine",
    example: "S21 XP",
  }),
  efficiency: efficiencyOption,
  pue: numberOption("pue", {
    description: "Power usage effectiveness, facility ÷ machine power",
    min: 1,
    max: 3,
    default: 1,
    example: "1.1",
  }),
  pool_fee: numberOption("pool_fee", {
    description: "Pool fee in percent",
    min: 0,
    max: 20,
    default: DEFAULT_POOL_FEE_PCT,
    example: "2.5",
    units: { "%": 1, pct: 1, percent: 1 },
  }),
  ...o,
};

export default defineCommand({
  name: "mining_cost",
  description: "Electricity cost to mine 1 BTC, hashprice and break-even power price",
  options: optionSpecs(options),
  args: argsSchema(options).refine((a) => a.difficulty === undefined || a.hashrate_ehs === undefined, {
    message: "Give difficulty or hashrate_ehs, not both",
  }),
  examples: [
    "/mining_cost paraguay",
    '/mining_cost texas machine="S21 XP"',
    "/mining_cost usd_per_kwh=0.08 efficiency=17.5",
  ],
  usesUpstream: true,
  async run(args, { deps }) {
    const { snapshot } = deps;
    const region = args.region ? lookupNamed("region", snapshot.regions, args.region) : undefined;
    const machine = args.machine ? lookupNamed("machine", snapshot.machines, args.machine) : undefined;
    const fleet = snapshot.fleetEfficiencyJPerTh;
    const efficiencyJPerTh = args.efficiency ?? machine?.efficiencyJPerTh ?? fleet.value;
    // Without a region the answer is for the network as a whole: the hashrate-weighted price across
    // countries, the same average migration reports.
    const network = networkWidePowerPrice(snapshot.regions);
    const priceSource = args.usd_per_kwh !== undefined ? "user" : region !== undefined ? "region" : "network";
    const usdPerKwh = args.usd_per_kwh ?? region?.usdPerKwh ?? network.usdPerKwh;
    const net = await loadNetworkInputs(deps, args);
    const inputs = { ...net, efficiencyJPerTh, usdPerKwh, pue: args.pue, poolFee: args.pool_fee / 100 };
    const econ = miningEconomics(inputs);

    const assumptions: string[] = [];
    if (args.efficiency === undefined && !machine)
      assumptions.push(
        `fleet-average efficiency ${fleet.value} J/TH (industry-wide 2024 figure, ${fleet.source.publisher.split(" (")[0]}, ${fleet.asOf})`,
      );
    if (priceSource === "region" && region)
      assumptions.push(
        `${region.name} power at ${fmt.usdPerKwh(usdPerKwh)}, ${region.priceLabel} (${region.basis})`,
      );
    if (priceSource === "network")
      assumptions.push(
        `network-wide power price ${fmt.usdPerKwh(usdPerKwh)}: each country's price weighted by its hashrate share, over ${network.regionIds.length} countries holding ${fmt.pct(network.coveredSharePct)} of hashrate (name a region for one place)`,
      );
    const place =
      priceSource === "user"
        ? `power at ${fmt.usdPerKwh(usdPerKwh)}`
        : priceSource === "region" && region
          ? region.name
          : "network-wide average";
    const vsPrice =
      econ.marginPct >= 0 ? `${fmt.pct(econ.marginPct)} below` : `${fmt.pct(-econ.marginPct)} above`;
    const fields: ReplyField[] = [
      { name: "Cost per BTC (electricity)", value: fmt.usd(econ.costPerBtcUsd), inline: true },
      { name: "Energy per BTC", value: `${fmt.num(econ.energyPerBtcKwh)} kWh`, inline: true },
      { name: "Hashprice", value: `${fmt.usd(econ.hashpriceUsdPerPhDay, 2)} per PH/s per day`, inline: true },
      { name: "Break-even power price", value: fmt.usdPerKwh(econ.breakEvenUsdPerKwh), inline: true },
      {
        name: "Margin vs price",
        value: `${fmt.pct(econ.marginPct)} (price ${fmt.usd(net.btcPriceUsd)})`,
        inline: true,
      },
      {
        name: "Sensitivity",
        value: `±1 ¢/kWh → ±${fmt.usd(econ.sensitivityUsdPerCent)} per BTC`,
        inline: true,
      },
    ];
    const { rewardPerBlockBtc: _reward, kwhPerThDay: _kwh, ...answer } = econ;
    const data: Record<string, unknown> = {
      btcPriceUsd: net.btcPriceUsd,
      difficulty: net.difficulty,
      subsidyBtc: net.subsidyBtc,
      feesPerBlockBtc: net.feesPerBlockBtc,
      efficiencyJPerTh,
      usdPerKwh,
      pue: args.pue,
      poolFee: args.pool_fee,
      region: priceSource === "network" ? "network" : (region?.id ?? null),
      ...answer,
    };
    const figures: KeyFigure[] = [
      { label: "Cost per BTC", value: fmt.usd(econ.costPerBtcUsd) },
      { label: "BTC price", value: fmt.usd(net.btcPriceUsd) },
      { label: "Break-even power", value: fmt.usdPerKwh(econ.breakEvenUsdPerKwh) },
      { label: "Hashprice", value: `${fmt.usd(econ.hashpriceUsdPerPhDay, 2)}/PH/s/day` },
    ];
    let machineProfit: { name: string; usdPerDayAt: (usdPerKwh: number) => number } | undefined;
    if (machine) {
      // An efficiency given with a machine (underclocked, worn) sets the machine's power too.
      const powerW = args.efficiency === undefined ? machine.powerW : machine.hashrateThs * args.efficiency;
      const m = machineEconomics({ ...machine, powerW }, inputs);
      const payback = m.paybackDays === null ? "never at these inputs" : `${fmt.num(m.paybackDays)} days`;
      fields.push({
        name: `${machine.name} (${machine.hashrateThs} TH/s, ${fmt.num(powerW)} W)`,
        value:
          `Revenue ${fmt.usd(m.revenueUsdPerDay, 2)}/day − power ${fmt.usd(m.powerCostUsdPerDay, 2)}/day = ${fmt.usd(m.profitUsdPerDay, 2)}/day` +
          (machine.priceUsd ? `; payback on ${fmt.usd(machine.priceUsd)}: ${payback}` : ""),
      });
      data.machine = { id: machine.id, ...m };
      figures.push({ label: `${machine.name} profit`, value: `${fmt.usd(m.profitUsdPerDay, 2)}/day` });
      if (machine.priceUsd) figures.push({ label: "Payback", value: payback });
      machineProfit = {
        name: machine.name,
        usdPerDayAt: (price) =>
          machineEconomics({ ...machine, powerW }, { ...inputs, usdPerKwh: price }).profitUsdPerDay,
      };
    } else {
      figures.push({ label: "Per 1 ¢/kWh", value: `±${fmt.usd(econ.sensitivityUsdPerCent)} per BTC` });
    }
    fields.push({
      name: "Inputs",
      value: describeNetwork(net, { efficiencyJPerTh, usdPerKwh, pue: args.pue, poolFeePct: args.pool_fee }),
    });
    if (assumptions.length) fields.push({ name: "Assumptions", value: assumptions.join("; ") });
    const where =
      priceSource === "user"
        ? `at ${fmt.usdPerKwh(usdPerKwh)}`
        : region
          ? `in ${region.name}`
          : "at the network-wide power price";
    return {
      headline: `Mining 1 BTC ${where} costs ${fmt.usd(econ.costPerBtcUsd)} in electricity, ${vsPrice} ${priceWords(net)} of ${fmt.usd(net.btcPriceUsd)}.`,
      figures,
      chart: costCurve({
        place,
        usdPerKwh,
        energyPerBtcKwh: econ.energyPerBtcKwh,
        btcPriceUsd: net.btcPriceUsd,
        ...(machineProfit ? { machine: machineProfit } : {}),
      }),
      actions: [
        {
          label: "Other regions",
          command: "migration",
          args: args.efficiency ? { efficiency: args.efficiency } : {},
        },
        ...(machine
          ? []
          : [
              action("With a machine", "mining_cost", {
                ...(priceSource === "user"
                  ? { usd_per_kwh: usdPerKwh }
                  : region
                    ? { region: region.id }
                    : {}),
                machine: "s21_xp",
              }),
            ]),
        action("Sources", "sources", {}),
      ],
      title: `Cost to mine 1 BTC — ${place}`,
      summary: `Mining 1 BTC costs ${fmt.usd(econ.costPerBtcUsd)} in electricity at ${fmt.usdPerKwh(usdPerKwh)} and ${fmt.num(efficiencyJPerTh, 1)} J/TH, ${vsPrice} the price of ${fmt.usd(net.btcPriceUsd)}. Break-even power price: ${fmt.usdPerKwh(econ.breakEvenUsdPerKwh)}.`,
      fields,
      sources: [
        ...net.sources,
        ...(priceSource === "region" && region
          ? [snapshotSource(`Power price, ${region.name}`, region.price)]
          : []),
        ...(priceSource === "network"
          ? [
              ...snapshotSources(
                "Power price",
                weightedRegions(snapshot.regions).map((r) => ({ label: r.name, figure: r.price })),
              ),
              snapshotSource("Hashrate shares by country", snapshot.regions[0]!.share),
            ]
          : []),
        ...(machine ? [snapshotSource(`${machine.name} spec`, machine.spec, "spec")] : []),
        ...(args.efficiency === undefined && !machine
          ? [snapshotSource("Fleet-average efficiency", fleet)]
          : []),
      ],
      data,
    };
  },
});
