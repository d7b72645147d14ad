import { z } from "zod";
import {
  defineCommand,
  fmt,
  type KeyFigure,
  lookupNamed,
  numberArg,
  type ReplyField,
  textArg,
} from "../src/core/index.ts";
import { machineEconomics, miningEconomics } from "../src/domain/mining.ts";
import { costCurve } from "./shared/charts.ts";
import {
  describeNetwork,
  efficiencyOption,
  loadNetworkInputs,
  overrideOptions as o,
  priceWords,
} from "./shared/network-inputs.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const options = {
  region: {
    name: "region",
    description: "Where the power is bought (sets the power price)",
    type: "string",
    catalog: "region",
    example: "paraguay",
  },
  usd_per_kwh: {
    name: "usd_per_kwh",
    description: "Power price in USD per kWh (wins over region)",
    type: "number",
    min: 0,
    max: 2,
    example: "0.045",
  },
  machine: {
    name: "machine",
    description: "An ASIC model: sets efficiency and adds daily profit",
    type: "string",
    catalog: "machine",
    example: "S21 XP",
  },
  efficiency: efficiencyOption,
  pue: {
    name: "pue",
    description: "Power usage effectiveness, facility ÷ machine power (default 1.0)",
    type: "number",
    min: 1,
    max: 3,
    example: "1.1",
  },
  pool_fee: {
    name: "pool_fee",
    description: "Pool fee in percent (default 2)",
    type: "number",
    min: 0,
    max: 20,
    example: "2.5",
  },
  ...o,
} as const;

export default defineCommand({
  name: "mining_cost",
  description: "Electricity cost to mine 1 BTC, hashprice and break-even power price",
  options: Object.values(options),
  args: z
    .object({
      region: textArg(options.region).default("us_average"),
      usd_per_kwh: numberArg(options.usd_per_kwh).optional(),
      machine: textArg(options.machine).optional(),
      efficiency: numberArg(options.efficiency).optional(),
      pue: numberArg(options.pue).default(1),
      pool_fee: numberArg(options.pool_fee).default(2),
      price: numberArg(o.price).optional(),
      difficulty: numberArg(o.difficulty).optional(),
      hashrate_ehs: numberArg(o.hashrate_ehs).optional(),
      fees_btc: numberArg(o.fees_btc).optional(),
      height: numberArg(o.height).optional(),
    })
    .refine((a) => a.difficulty === undefined || a.hashrate_ehs === undefined, {
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
    const region = lookupNamed("region", snapshot.regions, args.region);
    const machine = args.machine ? lookupNamed("machine", snapshot.machines, args.machine) : undefined;
    const fleet = snapshot.fleetEfficiencyJPerTh;
    const efficiencyJPerTh = args.efficiency ?? machine?.efficiencyJPerTh ?? fleet.value;
    const usdPerKwh = args.usd_per_kwh ?? region.usdPerKwh;
    const net = await loadNetworkInputs(deps, args);
    const inputs = { ...net, efficiencyJPerTh, usdPerKwh, pue: args.pue, poolFee: args.pool_fee / 100 };
    const econ = miningEconomics(inputs);

    const assumptions: string[] = [];
    if (args.efficiency === undefined && !machine)
      assumptions.push(`fleet-average efficiency ${fleet.value} J/TH (${fleet.source}, ${fleet.asOf})`);
    if (args.usd_per_kwh === undefined)
      assumptions.push(`${region.name} power at ${fmt.usdPerKwh(usdPerKwh)} (${region.basis})`);
    const place = args.usd_per_kwh === undefined ? region.name : `power at ${fmt.usdPerKwh(usdPerKwh)}`;
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
      region: region.id,
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
    const where = args.usd_per_kwh === undefined ? `in ${region.name}` : `at ${fmt.usdPerKwh(usdPerKwh)}`;
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
                ...(args.usd_per_kwh === undefined ? { region: region.id } : { usd_per_kwh: usdPerKwh }),
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
        ...(args.usd_per_kwh === undefined
          ? [snapshotSource(`Power price, ${region.name}`, region.price)]
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
