import {
  argsSchema,
  choiceOption,
  defineCommand,
  fmt,
  lookupNamed,
  numberOption,
  optionSpecs,
  textOption,
  UserError,
} from "../src/core/index.ts";
import type { DevicePreset, ModelPreset, SpeedMeasurementSet } from "../src/core/snapshot.ts";
import {
  type BackendClass,
  DECODE_EFFICIENCY,
  edgeFit,
  type FitResult,
  QUANTS,
  type Quant,
} from "../src/domain/edge-fit.ts";
import { action, snapshotSource } from "./shared/sources.ts";

/** The longest context any option accepts; a model without its own limit is held to it. */
const MAX_CONTEXT_TOKENS = 2_000_000;

const options = {
  model: textOption("model", {
    description: "An open model, e.g. llama_3_1_8b",
    catalog: "model",
    example: "llama_3_1_8b",
  }),
  device: textOption("device", {
    description: "A device, e.g. raspberry_pi_5_8gb",
    catalog: "device",
    example: "rtx_4090",
  }),
  quant: choiceOption("quant", QUANTS as unknown as ["fp16", "q8_0", "q4_k_m"], {
    description: "Weights precision: fp16, q8_0 or q4_k_m",
    default: "q4_k_m",
    example: "q8_0",
    aliases: {
      q8: "q8_0",
      int8: "q8_0",
      "8bit": "q8_0",
      q4: "q4_k_m",
      int4: "q4_k_m",
      "4bit": "q4_k_m",
      f16: "fp16",
      "16bit": "fp16",
    },
  }),
  context: numberOption("context", {
    description: "Context length in tokens",
    integer: true,
    min: 1,
    max: MAX_CONTEXT_TOKENS,
    default: 4096,
    example: "8192",
    units: { tokens: 1, token: 1, ctx: 1, context: 1 },
    kilo: 1024,
  }),
  params_b: numberOption("params_b", {
    description: "Parameters in billions, when the model is not listed",
    min: 0.01,
    max: 2000,
    example: "14",
    units: { b: 1, m: 0.001 },
  }),
  ram_gb: numberOption("ram_gb", {
    description: "Memory available to the model in GB, when the device is not listed",
    min: 0.1,
    max: 10_000,
    example: "16",
    units: { gb: 1, g: 1, gib: 1, tb: 1000 },
  }),
  bandwidth_gbs: numberOption("bandwidth_gbs", {
    description: "Memory bandwidth in GB/s (with ram_gb)",
    min: 0.1,
    max: 100_000,
    example: "100",
    units: { "gb/s": 1, gbs: 1, "tb/s": 1000 },
  }),
};

/** A device given only as memory and bandwidth has no known backend; its speed uses this class's
 * efficiency, and the answer says so. */
const UNKNOWN_BACKEND: BackendClass = "cpu";
/** The publications whose runs set this backend class's efficiency. */
function calibrationSources(
  sets: readonly SpeedMeasurementSet[],
  devices: readonly DevicePreset[],
  backend: BackendClass,
) {
  const backendOf = new Map(devices.map((d) => [d.id, d.backend]));
  return sets
    .filter((set) => set.runs.some((run) => backendOf.get(run.device) === backend))
    .map((set) => snapshotSource("Speed calibration runs", set));
}

/** How many fitting models the reverse question lists. */
const REVERSE_LIMIT = 10;

const BACKEND_NAMES: Record<BackendClass, string> = {
  discrete_gpu: "discrete GPU",
  apple_unified: "Apple unified memory",
  embedded_gpu: "embedded GPU",
  cpu: "CPU",
  phone: "phone",
};

function efficiencyNote(backend: BackendClass, quant: Quant): string {
  const e = DECODE_EFFICIENCY[backend];
  const calibrated = e.calibrated.includes(quant);
  return `η = ${e.eta[quant]} for ${BACKEND_NAMES[backend]} at ${quant} (${calibrated ? "calibrated: " : "not calibrated at this quant: "}${e.basis})`;
}

export default defineCommand({
  name: "edge_fit",
  description: "Does an open model run on a device: memory, best quantization, max context, tokens/s",
  options: optionSpecs(options),
  args: argsSchema(options)
    .refine((a) => a.model === undefined || a.params_b === undefined, {
      message: "Give model or params_b, not both",
    })
    .refine((a) => a.device !== undefined || (a.ram_gb !== undefined && a.bandwidth_gbs !== undefined), {
      message: "Name a device, or give both ram_gb and bandwidth_gbs",
    }),
  examples: [
    "/edge_fit llama_3_1_8b raspberry_pi_5_8gb",
    "/edge_fit model=qwen2_5_7b device=rtx_4090 quant=fp16 context=32768",
    "/edge_fit params_b=14 ram_gb=16 bandwidth_gbs=100",
    "/edge_fit device=raspberry_pi_5_8gb",
  ],
  usesUpstream: false,
  async run(args, { deps }) {
    const { models, devices } = deps.snapshot;
    const device = args.device ? lookupNamed("device", devices, args.device) : undefined;
    const memoryGb = args.ram_gb ?? device!.usableMemoryGb;
    const bandwidthGbs = args.bandwidth_gbs ?? device!.bandwidthGbs;
    const backend = device?.backend ?? UNKNOWN_BACKEND;
    const deviceName = device?.name ?? `${memoryGb} GB at ${bandwidthGbs} GB/s`;
    if (args.model === undefined && args.params_b === undefined) {
      return reverse(models, { device, deviceName, memoryGb, bandwidthGbs, backend, context: args.context });
    }
    const named = args.model ? lookupNamed("model", models, args.model) : undefined;
    const paramsB = args.params_b ?? named!.paramsB;
    // Without a named model the KV-cache shape comes from the listed model nearest in size.
    const shape =
      named ??
      models.reduce((a, b) => (Math.abs(b.paramsB - paramsB) < Math.abs(a.paramsB - paramsB) ? b : a));
    if (args.context > shape.maxContext && named) {
      throw new UserError(
        "invalid_value",
        `${named.name} supports at most ${fmt.num(named.maxContext)} tokens of context.`,
        { option: "context" },
      );
    }
    const fit = edgeFit({
      model: named ? { shape: named } : { paramsB, kvShape: shape },
      quant: args.quant,
      context: args.context,
      // An unlisted model's trained limit is unknown: only memory bounds its context.
      maxContext: named ? named.maxContext : MAX_CONTEXT_TOKENS,
      memoryGb,
      bandwidthGbs,
      backend,
    });
    const modelName = named?.name ?? `${paramsB}B-parameter model`;
    const verdict = fit.fits
      ? `fits: ${fmt.num(fit.totalGb, 1)} of ${fmt.num(memoryGb, 1)} GB, about ${fmt.num(fit.tokensPerSecond, 1)} tokens/s (estimate)`
      : `does not fit: needs ${fmt.num(fit.totalGb, 1)} GB, ${fmt.num(memoryGb, 1)} GB available`;
    const assumptions = [
      `decode speed ≈ η × bandwidth ÷ (weight bytes read + KV cache bytes) per token, with the cache full at ${fmt.num(args.context)} tokens; ${efficiencyNote(backend, args.quant)}`,
      named
        ? `weights from ${args.quant}'s per-tensor types on ${named.name}'s config${named.moe ? `; mixture of experts: memory for all ${named.moe.experts} experts, speed from the ${named.moe.expertsPerToken} active per token` : ""}`
        : `weights at ${args.quant}'s average bits per weight (architecture unknown)`,
      `fp16 KV cache${shape.slidingWindow ? `, local layers keep ${fmt.num(shape.slidingWindow.tokens)} tokens` : ""}`,
      `${fit.overheadGb} GB runtime overhead`,
    ];
    if (device)
      assumptions.push(`${device.name}: ${device.usableMemoryGb} of ${device.memoryGb} GB usable by a model`);
    else assumptions.push(`backend unknown: ${BACKEND_NAMES[backend]} efficiency assumed`);
    if (!named)
      assumptions.push(
        `KV-cache shape of ${shape.name} (nearest listed size); max context bounded by memory only`,
      );
    return {
      headline: fit.fits
        ? `${modelName} fits on ${deviceName} at ${args.quant}: ${fmt.num(fit.totalGb, 1)} of ${fmt.num(memoryGb, 1)} GB, about ${fmt.num(fit.tokensPerSecond, 1)} tokens/s.`
        : `${modelName} does not fit on ${deviceName} at ${args.quant}: needs ${fmt.num(fit.totalGb, 1)} GB, ${fmt.num(memoryGb, 1)} GB usable.`,
      figures: [
        { label: "Memory needed", value: `${fmt.num(fit.totalGb, 1)} GB of ${fmt.num(memoryGb, 1)} GB` },
        { label: "Decode speed (estimate)", value: `${fmt.num(fit.tokensPerSecond, 1)} tokens/s` },
        { label: "Best quantization", value: fit.bestQuant ?? "none fits" },
        { label: `Max context at ${args.quant}`, value: `${fmt.num(fit.maxContext)} tokens` },
      ],
      chart: {
        title: `${modelName} on ${deviceName}: memory`,
        panels: [
          {
            mark: "stacked_bar",
            horizontal: true,
            x: { label: "Need", type: "category" },
            y: { label: "Memory", unit: "GB" },
            series: [
              { name: "Weights", points: [{ x: args.quant, y: round2(fit.weightsGb) }] },
              { name: "KV cache", points: [{ x: args.quant, y: round2(fit.kvCacheGb) }] },
              { name: "Overhead", points: [{ x: args.quant, y: round2(fit.overheadGb) }] },
            ],
            rules: [{ y: round2(memoryGb), label: "Usable memory" }],
          },
        ],
      },
      actions: [
        ...(args.context < 32_768 && named && named.maxContext >= args.context * 4
          ? [
              action(`At ${fmt.num(args.context * 4)} tokens`, "edge_fit", {
                ...fitArgs(args),
                context: args.context * 4,
              }),
            ]
          : []),
        ...(args.quant !== "q8_0"
          ? [action("At q8_0", "edge_fit", { ...fitArgs(args), quant: "q8_0" })]
          : []),
        ...(device ? [action(`What runs on ${device.name}?`, "edge_fit", { device: device.id })] : []),
        action("Sources", "sources", {}),
      ],
      title: `${modelName} on ${deviceName}`,
      summary: `${modelName} at ${args.quant} with ${fmt.num(args.context)} tokens of context ${verdict}. Best quantization that fits: ${fit.bestQuant ?? "none"}; longest context at ${args.quant}: ${fmt.num(fit.maxContext)} tokens.`,
      fields: [
        {
          name: "Memory",
          value: `weights ${fmt.num(fit.weightsGb, 2)} GB + KV cache ${fmt.num(fit.kvCacheGb, 2)} GB + overhead ${fmt.num(fit.overheadGb, 2)} GB = ${fmt.num(fit.totalGb, 2)} GB of ${fmt.num(memoryGb, 1)} GB`,
          inline: false,
        },
        {
          name: "Decode speed (estimate)",
          value: `${fmt.num(fit.tokensPerSecond, 1)} tokens/s: ${fit.efficiency} × ${bandwidthGbs} GB/s ÷ ${fmt.num(fit.readPerTokenGb, 2)} GB per token`,
          inline: true,
        },
        { name: "Best quantization", value: fit.bestQuant ?? "none fits", inline: true },
        { name: "Max context", value: `${fmt.num(fit.maxContext)} tokens`, inline: true },
        { name: "Assumptions", value: assumptions.join("; ") },
      ],
      sources: [
        ...(named
          ? [snapshotSource(`${named.name} config`, named, "spec")]
          : [snapshotSource(`${shape.name} config (shape)`, shape, "spec")]),
        ...(device ? [snapshotSource(`${device.name} spec`, device, "spec")] : []),
        ...calibrationSources(deps.snapshot.speedMeasurements, deps.snapshot.devices, backend),
      ],
      data: {
        ...fit,
        model: named?.id ?? null,
        device: device?.id ?? null,
        quant: args.quant,
        context: args.context,
        backend,
      },
    };
  },
});

/** The reverse question: on this device, which listed models fit, each at its most precise quant that
 * fits; the largest model first (a bigger model at 4 bits usually beats a smaller one at 16), then the
 * faster. */
function reverse(
  models: readonly ModelPreset[],
  d: {
    device: DevicePreset | undefined;
    deviceName: string;
    memoryGb: number;
    bandwidthGbs: number;
    backend: BackendClass;
    context: number;
  },
) {
  const candidates: Array<{ model: ModelPreset; quant: Quant; context: number; fit: FitResult }> = [];
  for (const model of models) {
    const context = Math.min(d.context, model.maxContext);
    const probe = edgeFit({
      model: { shape: model },
      quant: "q4_k_m",
      context,
      maxContext: model.maxContext,
      memoryGb: d.memoryGb,
      bandwidthGbs: d.bandwidthGbs,
      backend: d.backend,
    });
    if (probe.bestQuant === null) continue;
    const fit =
      probe.bestQuant === "q4_k_m"
        ? probe
        : edgeFit({
            model: { shape: model },
            quant: probe.bestQuant,
            context,
            maxContext: model.maxContext,
            memoryGb: d.memoryGb,
            bandwidthGbs: d.bandwidthGbs,
            backend: d.backend,
          });
    candidates.push({ model, quant: probe.bestQuant, context, fit });
  }
  candidates.sort(
    (a, b) => b.model.paramsB - a.model.paramsB || b.fit.tokensPerSecond - a.fit.tokensPerSecond,
  );
  const shown = candidates.slice(0, REVERSE_LIMIT);
  const best = shown[0];
  const summary = best
    ? `${candidates.length} of ${models.length} listed models fit in ${fmt.num(d.memoryGb, 1)} GB on ${d.deviceName} at ${fmt.num(d.context)} tokens of context; the largest is ${best.model.name} at ${best.quant} (${fmt.num(best.fit.totalGb, 1)} GB, about ${fmt.num(best.fit.tokensPerSecond, 1)} tokens/s, estimate).`
    : `None of the ${models.length} listed models fits in ${fmt.num(d.memoryGb, 1)} GB on ${d.deviceName} at ${fmt.num(d.context)} tokens of context, even at q4_k_m.`;
  return {
    headline: best
      ? `${candidates.length} of ${models.length} models fit on ${d.deviceName}; the largest is ${best.model.name} at ${best.quant}, about ${fmt.num(best.fit.tokensPerSecond, 1)} tokens/s.`
      : `None of the ${models.length} listed models fits on ${d.deviceName}, even at q4_k_m.`,
    figures: [
      { label: "Models that fit", value: `${candidates.length} of ${models.length}` },
      { label: "Usable memory", value: `${fmt.num(d.memoryGb, 1)} GB` },
      ...(best
        ? [
            {
              label: "Largest",
              value: `${best.model.name} ${best.quant} (${fmt.num(best.fit.totalGb, 1)} GB)`,
            },
            { label: "Its speed (estimate)", value: `${fmt.num(best.fit.tokensPerSecond, 1)} tokens/s` },
          ]
        : []),
    ],
    ...(shown.length
      ? {
          chart: {
            title: `What runs on ${d.deviceName}: memory needed`,
            panels: [
              {
                mark: "bar" as const,
                horizontal: true,
                x: { label: "Model", type: "category" as const },
                y: { label: "Memory", unit: "GB" },
                series: [
                  {
                    name: "Memory needed",
                    points: shown.map((c) => ({ x: `${c.model.name} ${c.quant}`, y: round2(c.fit.totalGb) })),
                  },
                ],
                rules: [{ y: round2(d.memoryGb), label: "Usable memory" }],
              },
            ],
          },
        }
      : {}),
    title: `What runs on ${d.deviceName}`,
    summary,
    fields: [
      {
        name: "Assumptions",
        value: `each model at its most precise quant that fits with the cache full at the context (capped at the model's own limit); ${efficiencyNote(d.backend, "q4_k_m")}; largest model first`,
      },
    ],
    table: {
      columns: ["Model", "Quant", "GB", "tokens/s"],
      align: ["left", "left", "right", "right"] as ("left" | "right")[],
      rows: shown.map((c) => [
        c.model.name,
        c.quant,
        fmt.num(c.fit.totalGb, 1),
        fmt.num(c.fit.tokensPerSecond, 1),
      ]),
    },
    sources: d.device ? [snapshotSource(`${d.device.name} spec`, d.device, "spec")] : [],
    data: {
      device: d.device?.id ?? null,
      memoryGb: d.memoryGb,
      context: d.context,
      backend: d.backend,
      fitting: candidates.map((c) => ({
        model: c.model.id,
        quant: c.quant,
        totalGb: c.fit.totalGb,
        tokensPerSecond: c.fit.tokensPerSecond,
      })),
    },
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The arguments the user gave, for a button that asks the same with one change. */
function fitArgs(args: {
  model?: string | undefined;
  device?: string | undefined;
  quant: string;
  context: number;
  params_b?: number | undefined;
  ram_gb?: number | undefined;
  bandwidth_gbs?: number | undefined;
}): Record<string, string | number> {
  const out: Record<string, string | number> = { quant: args.quant, context: args.context };
  for (const key of ["model", "device", "params_b", "ram_gb", "bandwidth_gbs"] as const) {
    const value = args[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
