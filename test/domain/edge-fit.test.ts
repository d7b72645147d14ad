import { describe, expect, it } from "vitest";
import {
  BYTES_PER_PARAM,
  DECODE_EFFICIENCY,
  edgeFit,
  type FitInput,
  kvCacheGb,
  QUANTS,
  type Quant,
  RUNTIME_OVERHEAD_GB,
  weightsGb,
} from "../../src/domain/edge-fit.ts";

/** Llama 3.1 8B: 32 layers, 8 KV heads (grouped-query), head dim 128, 128k context. */
const llama8b = { paramsB: 8, layers: 32, kvHeads: 8, headDim: 128, maxContext: 131_072 };
/** Llama 3.1 70B: 80 layers, 8 KV heads, head dim 128. */
const llama70b = { paramsB: 70, layers: 80, kvHeads: 8, headDim: 128, maxContext: 131_072 };
/** KV cache per token for Llama 3.1 8B: 2 × 32 × 8 × 128 × 2 B = 131,072 B = 1.31072e-4 GB. */

describe("constants", () => {
  it("list quants best precision first with their sizes", () => {
    expect(QUANTS).toEqual(["fp16", "q8_0", "q4_k_m"]);
    expect(BYTES_PER_PARAM).toEqual({ fp16: 2, q8_0: 1.06, q4_k_m: 0.6 });
    expect(DECODE_EFFICIENCY).toBe(0.6);
    expect(RUNTIME_OVERHEAD_GB).toBe(0.5);
  });
});

describe("weightsGb", () => {
  it.each<{ paramsB: number; quant: Quant; gb: number }>([
    { paramsB: 8, quant: "q4_k_m", gb: 4.8 }, // 8e9 × 0.6 B = 4.8e9 B
    { paramsB: 8, quant: "q8_0", gb: 8.48 }, // 8 × 1.06
    { paramsB: 8, quant: "fp16", gb: 16 }, // 8 × 2
    { paramsB: 70, quant: "q4_k_m", gb: 42 }, // 70 × 0.6
    { paramsB: 0.5, quant: "fp16", gb: 1 }, // 0.5 × 2
  ])("$paramsB B params at $quant = $gb GB", ({ paramsB, quant, gb }) => {
    expect(weightsGb(paramsB, quant)).toBeCloseTo(gb, 12);
  });

  it.each([0, -8, Number.NaN])("rejects %s B params", (paramsB) => {
    expect(() => weightsGb(paramsB, "fp16")).toThrow(RangeError);
  });

  it("rejects an unknown quant", () => {
    expect(() => weightsGb(8, "q2_k" as Quant)).toThrow(RangeError);
  });
});

describe("kvCacheGb", () => {
  it.each([
    // 2 × 32 × 8 × 128 × 8192 × 2 = 1,073,741,824 B
    { context: 8192, bytesPerElement: undefined, gb: 1.073_741_824 },
    // 2 × 32 × 8 × 128 × 131,072 × 2 = 17,179,869,184 B
    { context: 131_072, bytesPerElement: undefined, gb: 17.179_869_184 },
    // q8 cache: 2 × 32 × 8 × 128 × 8192 × 1 = 536,870,912 B
    { context: 8192, bytesPerElement: 1, gb: 0.536_870_912 },
    { context: 1, bytesPerElement: undefined, gb: 0.000_131_072 }, // one token: 131,072 B
    { context: 0, bytesPerElement: undefined, gb: 0 },
  ])(
    "Llama 3.1 8B at $context tokens, $bytesPerElement B/element = $gb GB",
    ({ context, bytesPerElement, gb }) => {
      expect(kvCacheGb({ layers: 32, kvHeads: 8, headDim: 128, context, bytesPerElement })).toBeCloseTo(
        gb,
        12,
      );
    },
  );

  it("is 4× smaller with 8 KV heads than with 32 attention heads", () => {
    // 2 × 32 × 32 × 128 × 8192 × 2 = 4,294,967,296 B = 4 × 1,073,741,824
    expect(kvCacheGb({ layers: 32, kvHeads: 32, headDim: 128, context: 8192 })).toBeCloseTo(
      4.294_967_296,
      12,
    );
  });

  it.each([
    { layers: 0, kvHeads: 8, headDim: 128, context: 8192 },
    { layers: 32, kvHeads: Number.NaN, headDim: 128, context: 8192 },
    { layers: 32, kvHeads: 8, headDim: 128.5, context: 8192 },
    { layers: 32, kvHeads: 8, headDim: 128, context: -1 },
    { layers: 32, kvHeads: 8, headDim: 128, context: 1.5 },
    { layers: 32, kvHeads: 8, headDim: 128, context: 8192, bytesPerElement: 0 },
  ])("rejects %o", (shape) => {
    expect(() => kvCacheGb(shape)).toThrow(RangeError);
  });
});

describe("edgeFit", () => {
  it.each<{ name: string; input: FitInput; expected: Record<string, number | boolean | string | null> }>([
    {
      name: "Llama 3.1 8B q4_k_m, 8k context, on an 8 GB phone at 100 GB/s",
      input: { ...llama8b, quant: "q4_k_m", context: 8192, memoryGb: 8, bandwidthGbs: 100 },
      expected: {
        weightsGb: 4.8, // 8 × 0.6
        kvCacheGb: 1.073_741_824, // see kvCacheGb
        overheadGb: 0.5,
        totalGb: 6.373_741_824, // 4.8 + 1.073741824 + 0.5
        headroomGb: 1.626_258_176, // 8 − 6.373741824
        fits: true,
        // (8 − 4.8 − 0.5) / 1.31072e-4 = 2.7 / 1.31072e-4 = 20,599.37 → 20,599
        maxContext: 20_599,
        // fp16: 16 + 1.07 + 0.5 = 17.57 > 8; q8_0: 8.48 + 1.07 + 0.5 = 10.05 > 8; q4_k_m fits
        bestQuant: "q4_k_m",
        tokensPerSecond: 12.5, // 0.6 × 100 / 4.8
      },
    },
    {
      name: "same model q8_0 on a 24 GB laptop at 273 GB/s: fp16 would fit too",
      input: { ...llama8b, quant: "q8_0", context: 8192, memoryGb: 24, bandwidthGbs: 273 },
      expected: {
        weightsGb: 8.48,
        totalGb: 10.053_741_824, // 8.48 + 1.073741824 + 0.5
        headroomGb: 13.946_258_176, // 24 − 10.053741824
        fits: true,
        // (24 − 8.48 − 0.5) / 1.31072e-4 = 15.02 / 1.31072e-4 = 114,593.5 → 114,593
        maxContext: 114_593,
        bestQuant: "fp16", // 16 + 1.073741824 + 0.5 = 17.57 ≤ 24
        tokensPerSecond: 19.316_037_736, // 0.6 × 273 / 8.48
      },
    },
    {
      name: "plenty of memory: max context is the model's own",
      input: { ...llama8b, quant: "q4_k_m", context: 8192, memoryGb: 64, bandwidthGbs: 400 },
      expected: {
        // (64 − 5.3) / 1.31072e-4 = 447,845 tokens of room, capped at 131,072
        maxContext: 131_072,
        fits: true,
        bestQuant: "fp16",
        tokensPerSecond: 50, // 0.6 × 400 / 4.8
      },
    },
    {
      name: "weights fit but the requested 128k context does not: bestQuant null, maxContext > 0",
      input: { ...llama8b, quant: "q4_k_m", context: 131_072, memoryGb: 6, bandwidthGbs: 50 },
      expected: {
        kvCacheGb: 17.179_869_184,
        totalGb: 22.479_869_184, // 4.8 + 17.179869184 + 0.5
        headroomGb: -16.479_869_184, // 6 − 22.479869184
        fits: false,
        // (6 − 5.3) / 1.31072e-4 = 0.7 / 1.31072e-4 = 5340.58 → 5340
        maxContext: 5340,
        bestQuant: null, // even q4_k_m: 22.48 > 6
        tokensPerSecond: 6.25, // 0.6 × 50 / 4.8
      },
    },
    {
      name: "Llama 3.1 70B q4_k_m on a 16 GB device: weights alone don't fit",
      input: { ...llama70b, quant: "q4_k_m", context: 8192, memoryGb: 16, bandwidthGbs: 120 },
      expected: {
        weightsGb: 42, // 70 × 0.6
        kvCacheGb: 2.684_354_56, // 2 × 80 × 8 × 128 × 8192 × 2 = 2,684,354,560 B
        totalGb: 45.184_354_56, // 42 + 2.68435456 + 0.5
        headroomGb: -29.184_354_56, // 16 − 45.18435456
        fits: false,
        maxContext: 0, // 42 + 0.5 > 16
        bestQuant: null,
        tokensPerSecond: 1.714_285_714, // 0.6 × 120 / 42
      },
    },
  ])("$name", ({ input, expected }) => {
    const result = edgeFit(input);
    for (const [key, value] of Object.entries(expected)) {
      const actual = result[key as keyof typeof result];
      if (typeof value === "number" && !Number.isInteger(value)) expect(actual, key).toBeCloseTo(value, 9);
      else expect(actual, key).toBe(value);
    }
    expect(result.memoryGb).toBe(input.memoryGb);
  });

  it("agrees with itself at the exact memory boundary", () => {
    const input: FitInput = { ...llama8b, quant: "q4_k_m", context: 8192, memoryGb: 8, bandwidthGbs: 100 };
    // Memory equal to the total needed at 8192 tokens: fits, and not one token more.
    const exact = edgeFit({ ...input, memoryGb: edgeFit(input).totalGb });
    expect(exact.fits).toBe(true);
    expect(exact.maxContext).toBe(8192);
    expect(exact.bestQuant).toBe("q4_k_m");
    expect(exact.headroomGb).toBe(0);
  });

  it("counts weights and overhead alone as context 0", () => {
    // memory = 4.8 + 0.5: no room for a single token of KV cache
    const result = edgeFit({ ...llama8b, quant: "q4_k_m", context: 1, memoryGb: 5.3, bandwidthGbs: 100 });
    expect(result.maxContext).toBe(0);
    expect(result.fits).toBe(false);
  });

  it.each<[string, Partial<FitInput>]>([
    ["zero memory", { memoryGb: 0 }],
    ["negative bandwidth", { bandwidthGbs: -1 }],
    ["NaN params", { paramsB: Number.NaN }],
    ["zero max context", { maxContext: 0 }],
    ["fractional context", { context: 100.5 }],
    ["zero layers", { layers: 0 }],
  ])("rejects %s", (_label, override) => {
    const input: FitInput = { ...llama8b, quant: "q4_k_m", context: 8192, memoryGb: 8, bandwidthGbs: 100 };
    expect(() => edgeFit({ ...input, ...override })).toThrow(RangeError);
  });
});
