/** trend: is Bitcoin mining centralizing while AI decentralizes? Both sides over time, each with a
 * verdict computed from a fitted slope: pools' HHI per window and per week, dated country and maker
 * shares and fleet efficiency for mining; for AI the smallest open model reaching a fixed capability
 * per quarter, the fitted halving time of its size, and how many such models fit edge devices. */
import type { ChartPanel, ChartSeries } from "../src/core/chart.ts";
import {
  argsSchema,
  choiceOption,
  type Deps,
  defineCommand,
  fmt,
  type KeyFigure,
  optionSpecs,
  type PoolHistory,
  type ReplyField,
  type SourceRef,
} from "../src/core/index.ts";
import type { Figure, TrendDatasets } from "../src/core/trend-data.ts";
import {
  changeOverPct,
  edgeShareByQuarter,
  log2Series,
  type ModelEntry,
  monthsSinceEpoch,
  paramsHalving,
  pooledSlope,
  quartersBetween,
  ratePerYearPct,
  recordSetters,
  smallestPerQuarter,
  tableConcentration,
  type Verdict,
  verdictFromFit,
  weeklySeries,
} from "../src/domain/trend.ts";

const SIDES = ["both", "mining", "ai"] as const;
const options = {
  side: choiceOption("side", SIDES, {
    description: "Which side: mining, ai or both",
    default: "both",
    example: "ai",
  }),
};

/** Window lengths in days, to place each cumulative window at its centre: for a trend that is linear
 * over the window, the window's average equals the value at its middle. */
const WINDOW_DAYS: Record<string, number> = {
  "3y": 1095,
  "2y": 730,
  "1y": 365,
  "6m": 182,
  "3m": 91,
  "1m": 30,
  "1w": 7,
};
/** The devices the edge share is measured on (snapshot presets): a flagship phone, the single-board
 * computer people run models on, and an ordinary laptop. */
const EDGE_DEVICES = [
  { id: "iphone_15_pro", key: "phone", label: "phone (iPhone 15 Pro)" },
  { id: "raspberry_pi_5_8gb", key: "raspberryPi5", label: "Raspberry Pi 5 (8 GB)" },
  { id: "laptop_16gb_ddr5", key: "laptop16gb", label: "16 GB laptop" },
] as const;
const EDGE_QUANT = "q4_k_m";
const HEADLINE_MAX = 160;
/** One point in four of the weekly series is enough for a phone-width line and keeps the spec small. */
const CHART_WEEK_STRIDE = 4;

const DAY_MS = 86_400_000;
/** When the oldest week has this many more points of unattributed blocks than the latest, pools that
 * have since disappeared weigh enough to bias the weekly trend; the answer says so. */
const UNLISTED_DRIFT_PCT = 5;

export default defineCommand({
  name: "trend",
  description: "Which way each side moves: mining concentration over time vs open models getting smaller",
  options: optionSpecs(options),
  args: argsSchema(options),
  examples: ["/trend", "/trend mining", "/trend side=ai"],
  usesUpstream: true,
  async run(args, { deps }) {
    const wantMining = args.side !== "ai";
    const wantAi = args.side !== "mining";
    const datasets = deps.trend;
    const warnings: string[] = [];
    if (!datasets)
      warnings.push("This build bundles no history datasets; only the live pool series is shown.");
    const mining = wantMining ? await miningSide(deps, datasets) : undefined;
    const ai = wantAi && datasets ? aiSide(datasets, deps) : undefined;
    if (mining) warnings.push(...mining.warnings);
    if (ai) warnings.push(...ai.warnings);

    const verdict = {
      ...(mining ? { mining: mining.verdict.direction } : {}),
      ...(ai ? { ai: ai.verdict.direction } : {}),
    };
    const sources = [...(mining?.sources ?? []), ...(ai?.sources ?? [])];
    // Freshness is said once by finishReply, which appends it to the headline.
    const headline = fitHeadline(
      [mining?.headline, ai?.headline].filter((h) => h !== undefined).join("; "),
      "",
    );
    const figures = [...(mining?.figures ?? []), ...(ai?.figures ?? [])];
    // Both sides: three figures each would crowd the fold; keep the strongest four.
    const shown =
      args.side === "both" ? [figures[0], figures[1], ...(ai?.figures ?? []).slice(0, 2)] : figures;
    const panels = [mining?.panel, ai?.panel].filter((p) => p !== undefined);

    return {
      title: "Is mining centralizing while AI decentralizes?",
      headline,
      figures: shown.filter((f) => f !== undefined).slice(0, 6),
      ...(panels.length
        ? {
            chart: {
              title: "Mining concentration (above) and open-model size for a fixed capability (below)",
              panels,
            },
          }
        : {}),
      summary: [mining?.summary, ai?.summary].filter(Boolean).join(" "),
      fields: [...(mining?.fields ?? []), ...(ai?.fields ?? [])],
      sources,
      warnings,
      data: {
        side: args.side,
        ...(mining ? { mining: mining.data } : {}),
        ...(ai ? { ai: ai.data } : {}),
        verdict,
        verdictDetail: {
          ...(mining ? { mining: mining.verdict, countries: mining.countriesVerdict } : {}),
          ...(ai ? { ai: ai.verdict } : {}),
        },
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Mining

async function miningSide(deps: Deps, datasets: TrendDatasets | undefined) {
  const history: PoolHistory = await deps.network.poolHistory("3y");
  const warnings = history.missing.map((m) => `No data for ${m}.`);
  const sources: SourceRef[] = windowSources(history);
  if (history.weekly) sources.push(history.weekly.source);

  const pools = history.windows.map((w) => {
    const c = tableConcentration(
      w.value.pools.map((p) => ({ name: p.name, weight: p.blockCount })),
      w.value.totalBlocks,
    );
    return {
      period: w.window,
      nakamotoCoefficient: c.nakamotoCoefficient,
      hhi: c.hhi,
      blocks: w.value.totalBlocks,
      unattributedPct: c.unattributedPct,
      status: w.source.status,
      // When the window ends: now for live data, the bundled date for the snapshot's windows.
      endsAt: w.source.asOf,
    };
  });
  const weekly = weeklySeries(history.weekly?.value ?? []);
  if (weekly.gaps.length)
    warnings.push(
      `The weekly pool series has ${weekly.gaps.length} gap(s) (${weekly.gaps.reduce((s, g) => s + g.missingWeeks, 0)} weeks missing); the fit uses the weeks present.`,
    );
  if (weekly.emptyWeeks.length)
    warnings.push(`${weekly.emptyWeeks.length} week(s) listed no pools and were skipped.`);

  // The weekly series is the real time series; without it the growing windows, each placed at its
  // centre, are the fallback (they overlap, so their spread understates the uncertainty).
  const useWeekly = weekly.points.length >= 3;
  const windowPoints = pools.map((p) => ({
    asOf: new Date(Date.parse(p.endsAt) - ((WINDOW_DAYS[p.period] ?? 0) / 2) * DAY_MS).toISOString(),
    value: p.hhi,
  }));
  const poolPoints = useWeekly ? weekly.points.map((p) => ({ asOf: p.asOf, value: p.hhi })) : windowPoints;
  const poolFit = pooledSlope([log2Series(poolPoints)]);
  // The windows count every pool that found blocks then; the weekly series only pools still active
  // this week. Both rates are kept so a reader can see when they disagree.
  const windowsFit = pooledSlope([log2Series(windowPoints)]);
  const verdict = {
    ...verdictFromFit(poolFit, "centralizing"),
    basis: useWeekly ? "weekly" : "windows",
    windowsRatePerYearPct: windowsFit ? ratePerYearPct(windowsFit.slope) : null,
  };
  const firstWeek = weekly.points[0];
  const lastWeek = weekly.points.at(-1);
  if (
    useWeekly &&
    firstWeek &&
    lastWeek &&
    firstWeek.unattributedPct - lastWeek.unattributedPct > UNLISTED_DRIFT_PCT
  )
    warnings.push(
      `The weekly series lists only pools active this week: ${fmt.pct(firstWeek.unattributedPct, 0)} of the oldest week's ` +
        `blocks are unattributed (vs ${fmt.pct(lastWeek.unattributedPct, 0)} now), so early HHI is understated and the rise overstated.`,
    );
  const spanMonths =
    poolPoints.length >= 2
      ? monthsSinceEpoch(poolPoints.at(-1)!.asOf) - monthsSinceEpoch(poolPoints[0]!.asOf)
      : 0;
  const changePct = poolFit ? changeOverPct(poolFit.slope, spanMonths) : null;

  const countries = (datasets?.countryShares ?? []).map((point) => {
    const coveredPct = point.value.reduce((s, c) => s + c.sharePct, 0);
    const c = tableConcentration(
      point.value.map((x) => ({ name: x.name, weight: x.sharePct })),
      100,
    );
    return {
      asOf: point.asOf,
      hhi: c.hhi,
      lowerBound: coveredPct < 100,
      coveredPct,
      listed: point.value.length,
    };
  });
  const countriesVerdict = verdictFromFit(
    pooledSlope([log2Series(countries.map((c) => ({ asOf: c.asOf, value: c.hhi })))]),
    "centralizing",
  );
  const makers = (datasets?.makerShares ?? []).map((m) => ({
    asOf: m.asOf,
    maker: m.maker,
    sharePct: m.value,
  }));
  const fleet = (datasets?.fleetEfficiency ?? []).map((f) => ({
    asOf: f.asOf,
    kind: f.kind,
    jPerTh: f.value,
    ...(f.machine ? { machine: f.machine } : {}),
    source: f.source,
  }));
  const bestMachineFit = pooledSlope([
    log2Series(
      fleet.filter((f) => f.kind === "best_new_machine").map((f) => ({ asOf: f.asOf, value: f.jPerTh })),
    ),
  ]);
  if (datasets) {
    sources.push(datasetSource("Hashrate shares by country", datasets.countryShares));
    sources.push(datasetSource("Leading ASIC maker's share", datasets.makerShares));
    sources.push(datasetSource("Energy per hash (J/TH)", datasets.fleetEfficiency));
  }

  const latest = pools.at(-1);
  const headline =
    changePct === null || verdict.confidence === "insufficient"
      ? "Pools: too little history for a trend"
      : `Pools: HHI ${changePct >= 0 ? "up" : "down"} ${pctText(Math.abs(changePct))}% over ${spanText(spanMonths)}`;

  const figures: KeyFigure[] = [];
  if (latest)
    figures.push({
      label: `Pool HHI (${latest.period})`,
      value: `${fmt.num(latest.hhi)} · Nakamoto ${latest.nakamotoCoefficient ?? "n/a"}`,
    });
  figures.push({ label: "Mining verdict", value: verdictText(verdict) });
  const firstCountry = countries[0];
  const lastCountry = countries.at(-1);
  if (firstCountry && lastCountry && countries.length > 1)
    figures.push({
      label: "Country HHI (at least)",
      value: `${fmt.num(firstCountry.hhi)} (${firstCountry.asOf}) → ${fmt.num(lastCountry.hhi)} (${lastCountry.asOf})`,
    });

  const fields: ReplyField[] = [
    {
      name: "Mining verdict",
      value:
        `${capitalize(verdict.direction)} — pool HHI ${rateText(verdict)} from ${verdict.points} ` +
        `${useWeekly ? "weekly points" : "windows placed at their centres (overlapping: spread understated)"}; ` +
        `confidence ${verdict.confidence} (${verdict.reason}). Countries: ${countriesVerdict.direction}, ` +
        `${rateText(countriesVerdict)} over ${countriesVerdict.points} dated points (${countriesVerdict.reason}).`,
    },
    {
      name: "Pools by window",
      value: pools.length
        ? pools
            .map(
              (p) =>
                `${p.period}: Nakamoto ${p.nakamotoCoefficient ?? "n/a"}, HHI ${fmt.num(p.hhi)}` +
                (p.status === "snapshot" ? " (snapshot)" : ""),
            )
            .join(" · ")
        : "No pool window could be read.",
    },
  ];
  if (useWeekly) {
    const first = weekly.points[0]!;
    const last = weekly.points.at(-1)!;
    fields.push({
      name: "Weekly pool series",
      value:
        `${weekly.points.length} weeks, ${first.asOf.slice(0, 10)} → ${last.asOf.slice(0, 10)}: HHI ${fmt.num(first.hhi)} → ` +
        `${fmt.num(last.hhi)}, Nakamoto ${first.nakamotoCoefficient ?? "n/a"} → ${last.nakamotoCoefficient ?? "n/a"}` +
        (weekly.gaps.length ? `; ${weekly.gaps.length} gap(s)` : "; no gaps") +
        ". Unknown blocks and pools outside the current top list count in the total, not as one entity.",
    });
  }
  if (countries.length)
    fields.push({
      name: "Country HHI (listed countries only: lower bounds)",
      value: countries.map((c) => `${c.asOf} ≥${fmt.num(c.hhi)}`).join(" · "),
    });
  if (makers.length)
    fields.push({
      name: "Leading ASIC maker",
      value:
        makers.map((m) => `${m.maker} ${fmt.pct(m.sharePct)} (${m.asOf})`).join(" → ") +
        (makers.length < 3 ? ". Too few dated points for a trend." : "."),
    });
  if (fleet.length) {
    const best = fleet.filter((f) => f.kind === "best_new_machine");
    const average = fleet.filter((f) => f.kind === "fleet_average");
    const halving = bestMachineFit && bestMachineFit.slope < 0 ? -1 / bestMachineFit.slope : null;
    fields.push({
      name: "Energy per hash",
      value:
        (best.length
          ? `Best new machine: ${best.map((f) => `${fmt.sig(f.jPerTh)} (${f.asOf.slice(0, 4)})`).join(" → ")} J/TH` +
            (halving ? `, halving every ${fmt.num(halving)} months` : "")
          : "") +
        (average.length
          ? `. Fleet average: ${average.map((f) => `${fmt.sig(f.jPerTh)} J/TH (${f.asOf})`).join(", ")}${average.length < 2 ? " (one point)" : ""}`
          : "") +
        ".",
    });
  }

  const weeklyChart = weekly.points.filter(
    (_, i) => i % CHART_WEEK_STRIDE === (weekly.points.length - 1) % CHART_WEEK_STRIDE,
  );
  const poolSeries: ChartSeries[] = useWeekly
    ? [
        { name: "Pool HHI (weekly)", points: weeklyChart.map((p) => ({ x: p.asOf.slice(0, 10), y: p.hhi })) },
        {
          name: "Pool Nakamoto coefficient",
          axis: "y2",
          points: weeklyChart
            .filter((p) => p.nakamotoCoefficient !== null)
            .map((p) => ({ x: p.asOf.slice(0, 10), y: p.nakamotoCoefficient! })),
        },
      ]
    : [
        {
          name: "Pool HHI (window centres)",
          points: windowPoints.map((p) => ({ x: p.asOf.slice(0, 10), y: p.value })),
        },
      ];
  const panel: ChartPanel = {
    title: "Mining: concentration (HHI 0–10,000)",
    mark: "line",
    x: { label: "Date", type: "date" },
    y: { label: "HHI" },
    ...(useWeekly ? { y2: { label: "Nakamoto coefficient" } } : {}),
    series: [
      ...poolSeries,
      ...(countries.length
        ? [{ name: "Country HHI (at least)", points: countries.map((c) => ({ x: c.asOf, y: c.hhi })) }]
        : []),
    ],
    rules: [{ y: 1800, label: "highly concentrated (US 2023 guidelines)" }],
  };

  return {
    headline,
    figures,
    fields,
    panel,
    sources,
    warnings,
    verdict,
    countriesVerdict,
    summary:
      `Mining: ${verdict.direction} (pool HHI ${rateText(verdict)}, ${verdict.points} points); ` +
      `countries ${countriesVerdict.direction}.`,
    data: {
      pools,
      weekly: weekly.points,
      gaps: weekly.gaps,
      countries: countries.map((c) => ({
        asOf: c.asOf,
        hhi: c.hhi,
        lowerBound: c.lowerBound,
        coveredPct: c.coveredPct,
      })),
      makers,
      fleetEfficiency: fleet,
      poolHhiChangePct: changePct,
      poolHhiSpanMonths: spanMonths,
      missing: history.missing,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// AI

function aiSide(datasets: TrendDatasets, deps: Deps) {
  const { levels, models, densingLaw } = datasets.openModels;
  const primary = levels[0]!;
  const entriesFor = (benchmark: string): ModelEntry[] =>
    models.map((m) => {
      const score = m.scores.find((s) => s.benchmark === benchmark)?.value;
      return {
        id: m.id,
        name: m.name,
        released: m.released,
        paramsB: m.paramsB.value,
        ...(m.activeParamsB ? { activeParamsB: m.activeParamsB.value } : {}),
        ...(score === undefined ? {} : { score }),
      };
    });
  const released = models.map((m) => m.released).sort();
  const coverageEnd = released.at(-1)!;
  const quarters = quartersBetween(released[0]!, coverageEnd);

  const smallestModel = levels.flatMap((level) =>
    smallestPerQuarter(entriesFor(level.benchmark), level.score.value, quarters).map(
      ({ quarter, model }) => ({
        quarter,
        level: level.id,
        levelScore: level.score.value,
        paramsB: model?.paramsB ?? null,
        activeParamsB: model?.activeParamsB ?? null,
        model: model?.name ?? null,
      }),
    ),
  );
  // All levels share one slope (each its own intercept): the question is how fast the size needed
  // for a fixed capability falls, whichever capability.
  const sameBenchmark = levels.filter((l) => l.benchmark === primary.benchmark);
  const entries = entriesFor(primary.benchmark);
  const halving = paramsHalving(
    entries,
    sameBenchmark.map((l) => l.score.value),
  );
  const verdict = verdictFromFit(halving.fit, "centralizing");
  const records = sameBenchmark.map((l) => ({ level: l, records: recordSetters(entries, l.score.value) }));

  const devices = EDGE_DEVICES.map((d) => {
    const preset = deps.snapshot.devices.find((x) => x.id === d.id);
    return preset ? { ...d, usableMemoryGb: preset.usableMemoryGb, preset } : undefined;
  }).filter((d) => d !== undefined);
  const edge: Array<{ quarter: string; models: number } & Record<string, number | string | null>> =
    edgeShareByQuarter(entries, primary.score.value, devices, quarters, EDGE_QUANT).map((q) => ({
      quarter: q.quarter,
      models: q.models,
      ...Object.fromEntries(devices.map((d) => [d.key, q.shares[d.id] ?? null])),
    }));
  const lastEdge = edge.at(-1);

  const warnings: string[] = [];
  if (verdict.confidence === "insufficient")
    warnings.push("Too few record-setting models for a fitted halving time.");
  const densing = densingLaw.value;
  const h = halving.halvingMonths;
  const range = halving.rangeMonths;
  const comparison =
    h === null
      ? "no halving to compare"
      : range && range.low <= densing && (range.high === null || densing <= range.high)
        ? `within the fit's ±1 SE range of the densing law's ${fmt.num(densing, 1)} months`
        : `${h > densing ? "slower" : "faster"} than the densing law's ${fmt.num(densing, 1)} months`;

  const primaryRecords = records[0]?.records ?? [];
  const headline =
    h === null
      ? `open models: no fall in the size needed for ${primary.name}'s ${primary.benchmark} score yet`
      : `open models: the size needed for ${primary.name}'s ${primary.benchmark} score halves every ${fmt.num(h, 1)} months`;

  const figures: KeyFigure[] = [];
  if (primaryRecords.length)
    figures.push({
      label: `Params for ${primary.name} ${primary.benchmark}`,
      value: `${paramsText(primaryRecords[0]!.paramsB)}B → ${paramsText(primaryRecords.at(-1)!.paramsB)}B`,
    });
  figures.push({
    label: "Halving time (fit)",
    value:
      h === null
        ? "none"
        : `${fmt.num(h, 1)} mo${range ? ` (${fmt.num(range.low, 1)}–${range.high === null ? "∞" : fmt.num(range.high, 1)})` : ""}`,
  });
  figures.push({ label: "Densing law", value: `${fmt.num(densing, 1)} mo` });
  if (lastEdge && lastEdge.models > 0)
    figures.push({
      label: `Fit a phone / Pi 5 / 16 GB (${lastEdge.quarter})`,
      value: devices.map((d) => fmt.pct(((lastEdge[d.key] as number | null) ?? 0) * 100, 0)).join(" / "),
    });

  const fields: ReplyField[] = [
    {
      name: "AI verdict",
      value:
        `${capitalize(verdict.direction)} — the parameters needed for a fixed capability ${rateText(verdict)} ` +
        `(${verdict.points} record-setting models over ${sameBenchmark.length} level(s); confidence ${verdict.confidence}, ${verdict.reason}).`,
    },
    {
      name: "Halving time vs the densing law",
      value:
        h === null
          ? "The fitted size needed does not fall."
          : `${fmt.num(h, 1)} months` +
            (range
              ? ` (±1 SE: ${fmt.num(range.low, 1)}–${range.high === null ? "no halving" : fmt.num(range.high, 1)})`
              : "") +
            `, least squares on log2(params) of the models that set a new smallest size per level. ` +
            `Densing law: capability per parameter doubles every ${fmt.num(densing, 1)} months, so the size for a fixed ` +
            `capability halves as often; this fit is ${comparison}.`,
    },
    ...records.map(({ level, records: r }) => ({
      name: `Smallest open model reaching ${level.name} (${level.benchmark} ${fmt.num(level.score.value, 1)})`,
      value: r.length
        ? r.map((m) => `${m.released.slice(0, 7)} ${m.name} ${paramsText(m.paramsB)}B`).join(" → ")
        : "No open model in the dataset reaches it.",
    })),
    {
      name: "On the edge",
      value:
        lastEdge && lastEdge.models > 0
          ? `Of the ${lastEdge.models} open models reaching ${primary.name}'s score by ${lastEdge.quarter}: ` +
            devices
              .map((d) => `${d.label} ${fmt.pct(((lastEdge[d.key] as number | null) ?? 0) * 100, 0)}`)
              .join(", ") +
            ` (${EDGE_QUANT} weights + runtime; KV cache not counted).`
          : "No model reaches the level yet.",
    },
    {
      name: "Coverage",
      value:
        `${models.length} open-weights models, ${released[0]} – ${coverageEnd} (later quarters: no data, not no progress). ` +
        `Base and instruction-tuned scores as each report gives them; every score's source is in --json.`,
    },
  ];

  const panel: ChartPanel = {
    title: "AI: smallest open model reaching a fixed score (billion parameters, log scale)",
    mark: "line",
    x: { label: "Quarter", type: "category" },
    y: { label: "Parameters", unit: "B", scale: "log" },
    series: levels.map((l) => ({
      name: `${l.name} ${l.benchmark} ${fmt.num(l.score.value, 1)}`,
      points: smallestModel
        .filter((s) => s.level === l.id && s.paramsB !== null)
        .map((s) => ({ x: s.quarter, y: s.paramsB! })),
    })),
  };

  const publishers = [
    ...new Set(models.flatMap((m) => [m.paramsB, ...m.scores].map((f) => f.source.publisher))),
  ];
  const sources: SourceRef[] = [
    {
      name: "Open-weights models and scores",
      source: `${models.length} model reports and cards, ${publishers.length} publishers`,
      asOf: coverageEnd,
      status: "snapshot",
    },
    ...levels.map((l) => figureSource(`${l.name} ${l.benchmark} score`, l.score)),
    figureSource("Densing law", densingLaw),
  ];

  return {
    headline,
    figures,
    fields,
    panel,
    sources,
    warnings,
    verdict,
    summary: `AI: ${verdict.direction}; the size needed for ${primary.name}'s ${primary.benchmark} ${h === null ? "does not fall" : `halves every ${fmt.num(h, 1)} months (densing law: ${fmt.num(densing, 1)})`}.`,
    data: {
      levels: levels.map((l) => ({ id: l.id, name: l.name, benchmark: l.benchmark, score: l.score.value })),
      smallestModel,
      records: records.map(({ level, records: r }) => ({
        level: level.id,
        models: r.map((m) => ({ model: m.name, released: m.released, paramsB: m.paramsB })),
      })),
      paramsHalvingMonths: h,
      paramsHalvingRangeMonths: range,
      fit: halving.fit,
      densingLawDoublingMonths: densing,
      edgeShare: edge,
      edgeQuant: EDGE_QUANT,
      coverageEnd,
      models: models.map((m) => ({
        id: m.id,
        name: m.name,
        released: m.released,
        paramsB: m.paramsB.value,
        activeParamsB: m.activeParamsB?.value ?? null,
        scores: m.scores.map((s) => ({
          benchmark: s.benchmark,
          value: s.value,
          source: s.source,
          asOf: s.asOf,
        })),
      })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Wording

/** The pool windows come from one route of one host: one source line per status (live, cached,
 * stale, snapshot) instead of seven, dated by the oldest fetch in it. */
function windowSources(history: PoolHistory): SourceRef[] {
  const byStatus = new Map<string, PoolHistory["windows"]>();
  for (const w of history.windows) {
    const key = `${w.source.status}|${w.source.fallback ? 1 : 0}`;
    byStatus.set(key, [...(byStatus.get(key) ?? []), w]);
  }
  return [...byStatus.values()].map((group) => {
    const first = group[0]!.source;
    if (group.length === 1) return first;
    const oldest = (values: (string | undefined)[]) => values.filter((v) => v !== undefined).sort()[0];
    const fetchedAt = oldest(group.map((w) => w.source.fetchedAt));
    return {
      ...first,
      name: `Pool blocks (${group.map((w) => w.window).join(", ")})`,
      source: first.source.replace(/\/[^/\s]+$/, "/{window}"),
      asOf: oldest(group.map((w) => w.source.asOf)) ?? first.asOf,
      ...(fetchedAt ? { fetchedAt } : {}),
    };
  });
}

/** One source line for a dated series: its publishers, as of its latest point (each point's own
 * source is in the data). */
function datasetSource(name: string, points: readonly Figure<unknown>[]): SourceRef {
  // "Hashrate Index (Luxor), via …" → "Hashrate Index": the line names who, --json has the rest.
  const publishers = [...new Set(points.map((p) => p.source.publisher.split(/ \(|, | via /)[0]!))];
  const dates = points.map((p) => p.asOf).sort();
  return {
    name: `${name}, ${dates[0]} – ${dates.at(-1)}`,
    source: publishers.join("; "),
    asOf: dates.at(-1) ?? "",
    status: "snapshot",
  };
}

/** "34.4", "7", "3.09": three significant digits without trailing zeros. */
function paramsText(paramsB: number): string {
  return String(Number(paramsB.toPrecision(3)));
}

function figureSource(name: string, figure: Figure<unknown>): SourceRef {
  return {
    name,
    source: `${figure.source.publisher}, ${figure.source.title}`,
    asOf: figure.asOf,
    status: "snapshot",
  };
}

function rateText(v: Verdict): string {
  if (v.ratePerYearPct === null) return "has no fit";
  const sign = v.ratePerYearPct >= 0 ? "+" : "−";
  const range = v.rateRangePctPerYear
    ? ` (±1 SE ${fmt.num(v.rateRangePctPerYear.low)}…${fmt.num(v.rateRangePctPerYear.high)}%)`
    : "";
  return `${sign}${fmt.num(Math.abs(v.ratePerYearPct))}% a year${range}`;
}

function verdictText(v: Verdict): string {
  if (v.confidence === "insufficient") return "too little data";
  return `${v.direction} (${v.ratePerYearPct! >= 0 ? "+" : "−"}${fmt.num(Math.abs(v.ratePerYearPct!))}%/yr)`;
}

/** "3 years", "1.5 years", "8 months", "3 weeks". */
function spanText(months: number): string {
  const years = months / 12;
  if (years >= 1.5) return `${fmt.num(years, years % 1 < 0.1 || years % 1 > 0.9 ? 0 : 1)} years`;
  if (months >= 2) return `${fmt.num(months)} months`;
  return `${fmt.num((months * (365.25 / 12)) / 7)} weeks`;
}

/** Whole percent from 10 up, one decimal below, so a small change does not read as 0. */
function pctText(value: number): string {
  return fmt.num(value, Math.abs(value) < 10 ? 1 : 0);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Capitalized, with the freshness note, never over the limit: the note is kept and the claim cut. */
function fitHeadline(text: string, note: string): string {
  const full = capitalize(text) + note;
  if (full.length <= HEADLINE_MAX) return full;
  return `${capitalize(text).slice(0, HEADLINE_MAX - note.length - 1)}…${note}`;
}
