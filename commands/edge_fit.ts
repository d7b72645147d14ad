import { z } from "zod";
import {
  choiceArg,
  defineCommand,
  fmt,
  lookupNamed,
  numberArg,
  textArg,
  UserError,
} from "../src/core/index.ts";
import { DECODE_EFFICIENCY, edgeFit, QUANTS } from "../src/domain/edge-fit.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const options = {
  model: {
    name: "model",
    description: "An open model, e.g. llama_3_1_8b",
    type: "string",
    catalog: "model",
    example: "llama_3_1_8b",
  },
  device: {
    name: "device",
    description: "A device, e.g. raspberry_pi_5_8gb",
    type: "string",
    catalog: "device",
    example: "rtx_4090",
  },
  quant: {
    name: "quant",
    description: "Weights precision: fp16, q8_0 or q4_k_m (default q4_k_m)",
    type: "string",
    choices: QUANTS,
    example: "q8_0",
  },
  context: {
    name: "context",
    description: "Context length in tokens (default 4096)",
    type: "integer",
    min: 1,
    max: 2_000_000,
    example: "8192",
  },
  params_b: {
    name: "params_b",
    description: "Parameters in billions, when the model is not listed",
    type: "number",
    min: 0.01,
    max: 2000,
    example: "14",
  },
  ram_gb: {
    name: "ram_gb",
    description: "Memory available to the model in GB, when the device is not listed",
    type: "number",
    min: 0.1,
    max: 10_000,
    example: "16",
  },
  bandwidth_gbs: {
    name: "bandwidth_gbs",
    description: "Memory bandwidth in GB/s (with ram_gb)",
    type: "number",
    min: 0.1,
    max: 100_000,
    example: "100",
  },
} as const;

export default defineCommand({
  name: "edge_fit",
  description: "Does an open model run on a device: memory, best quantization, max context, tokens/s",
  options: Object.values(options),
  args: z
    .object({
      model: textArg(options.model).optional(),
      device: textArg(options.device).optional(),
      quant: choiceArg(options.quant, QUANTS as unknown as ["fp16", "q8_0", "q4_k_m"]).default("q4_k_m"),
      context: numberArg(options.context).default(4096),
      params_b: numberArg(options.params_b).optional(),
      ram_gb: numberArg(options.ram_gb).optional(),
      bandwidth_gbs: numberArg(options.bandwidth_gbs).optional(),
    })
    .refine((a) => a.model === undefined || a.params_b === undefined, {
      message: "Give model or params_b, not both",
    })
    .refine((a) => a.model !== undefined || a.params_b !== undefined, {
      message: "Name a model or give params_b",
    })
    .refine((a) => a.device !== undefined || (a.ram_gb !== undefined && a.bandwidth_gbs !== undefined), {
      message: "Name a device, or give both ram_gb and bandwidth_gbs",
    }),
  examples: [
    "/edge_fit llama_3_1_8b raspberry_pi_5_8gb",
    "/edge_fit model=qwen2_5_7b device=rtx_4090 quant=fp16 context=32768",
    "/edge_fit params_b=14 ram_gb=16 bandwidth_gbs=100",
  ],
  usesUpstream: false,
  async run(args, { deps }) {
    const { models, devices } = deps.snapshot;
    const named = args.model ? lookupNamed("model", models, args.model) : undefined;
    const paramsB = args.params_b ?? named!.paramsB;
    // Without a named model the KV-cache shape comes from the listed model nearest in size.
    const shape =
      named ??
      models.reduce((a, b) => (Math.abs(b.paramsB - paramsB) < Math.abs(a.paramsB - paramsB) ? b : a));
    const device = args.device ? lookupNamed("device", devices, args.device) : undefined;
    const memoryGb = args.ram_gb ?? device!.usableMemoryGb;
    const bandwidthGbs = args.bandwidth_gbs ?? device!.bandwidthGbs;
    if (args.context > shape.maxContext && named) {
      throw new UserError(
        "invalid_value",
        `${named.name} supports at most ${fmt.num(named.maxContext)} tokens of context.`,
        { option: "context" },
      );
    }
    const fit = edgeFit({
      paramsB,
      quant: args.quant,
      layers: shape.layers,
      kvHeads: shape.kvHeads,
      headDim: shape.headDim,
      context: args.context,
      // An unlisted model's trained limit is unknown: only memory bounds its context.
      maxContext: named ? named.maxContext : options.context.max,
      memoryGb,
      bandwidthGbs,
    });
    const modelName = named?.name ?? `${paramsB}B-parameter model`;
    const deviceName = device?.name ?? `${memoryGb} GB at ${bandwidthGbs} GB/s`;
    const verdict = fit.fits
      ? `fits: ${fmt.num(fit.totalGb, 1)} of ${fmt.num(memoryGb, 1)} GB, about ${fmt.num(fit.tokensPerSecond, 1)} tokens/s`
      : `does not fit: needs ${fmt.num(fit.totalGb, 1)} GB, ${fmt.num(memoryGb, 1)} GB available`;
    const assumptions = [
      `decode speed ≈ ${DECODE_EFFICIENCY} × bandwidth ÷ weight bytes (memory-bound)`,
      "fp16 KV cache",
      `${fit.overheadGb} GB runtime overhead`,
    ];
    if (device)
      assumptions.push(`${device.name}: ${device.usableMemoryGb} of ${device.memoryGb} GB usable by a model`);
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
        { label: "Decode speed (upper bound)", value: `${fmt.num(fit.tokensPerSecond, 1)} tokens/s` },
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
          name: "Decode speed (upper bound)",
          value: `${fmt.num(fit.tokensPerSecond, 1)} tokens/s at ${bandwidthGbs} GB/s`,
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
      ],
      data: {
        ...fit,
        model: named?.id ?? null,
        device: device?.id ?? null,
        quant: args.quant,
        context: args.context,
      },
    };
  },
});

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
