import { describe, expect, it } from "vitest";
import { snapshot } from "../../src/data/snapshot.ts";
import {
  type BackendClass,
  BITS_PER_WEIGHT,
  DECODE_EFFICIENCY,
  decodeTokensPerSecond,
  edgeFit,
  type FitInput,
  genericWeightsGb,
  kvCacheGb,
  type ModelShape,
  modelWeightsGb,
  parameterCount,
  QUANTS,
  type Quant,
  usesMoreBits,
} from "../../src/domain/edge-fit.ts";

const model = (id: string): ModelShape => snapshot.models.find((m) => m.id === id)!;
const device = (id: string) => snapshot.devices.find((d) => d.id === id)!;

describe("constants", () => {
  it("list quants best precision first", () => {
    expect(QUANTS).toEqual(["fp16", "q8_0", "q4_k_m"]);
  });

  it("derive bits per weight from the ggml block layouts", () => {
    expect(BITS_PER_WEIGHT.q8_0).toBe((34 * 8) / 32); // 32 int8 + fp16 scale
    expect(BITS_PER_WEIGHT.q4_k).toBe((144 * 8) / 256);
    expect(BITS_PER_WEIGHT.q6_k).toBe((210 * 8) / 256);
    expect(BITS_PER_WEIGHT.q5_0).toBe((22 * 8) / 32);
    expect(BITS_PER_WEIGHT.mxfp4).toBe((17 * 8) / 32);
  });
});

describe("usesMoreBits (llama.cpp's layer rule for Q4_K_M)", () => {
  it.each([
    // 16 layers: eighth = 2 → 0, 1 and 14, 15, and (i − 2) % 3 = 2 → 4, 7, 10, 13
    { layers: 16, expected: [0, 1, 4, 7, 10, 13, 14, 15] },
    // 32 layers: eighth = 4 → 0–3, 28–31, and 6, 9, …, 27
    { layers: 32, expected: [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31] },
  ])("$layers layers → $expected", ({ layers, expected }) => {
    const picked = Array.from({ length: layers }, (_, i) => i).filter((i) => usesMoreBits(i, layers));
    expect(picked).toEqual(expected);
  });
});

describe("modelWeightsGb (per-tensor composition)", () => {
  it("Llama 3.2 1B at Q4_K_M, worked by hand: 0.800 GB (published 0.81)", () => {
    // token_embd (tied, so it is the output too) at Q6_K: 128,256 × 2048 = 262,668,288 × 6.5625 / 8 = 215.47 MB
    // 16 layers × 60,817,408 params at Q4_K: 973,078,528 × 4.5 / 8 = 547.36 MB
    // attn_v + ffn_down of 8 layers move to Q6_K: 8 × (1,048,576 + 16,777,216) × 2.0625 / 8 = 36.77 MB
    // 215.47 + 547.36 + 36.77 = 799.59 MB
    const w = modelWeightsGb(model("llama_3_2_1b"), "q4_k_m");
    expect(w.totalGb).toBeCloseTo(0.799592448, 9);
    // Tied: the embedding is also the output matrix, so every byte is read per token.
    expect(w.readPerTokenGb).toBeCloseTo(w.totalGb, 12);
  });

  it("reads all but the token-embedding table per token when embeddings are untied", () => {
    // Llama 3.1 8B Q4_K_M: token_embd 128,256 × 4096 at Q4_K = 525,336,576 × 0.5625 = 295.50 MB not read.
    const w = modelWeightsGb(model("llama_3_1_8b"), "q4_k_m");
    expect(w.totalGb - w.readPerTokenGb).toBeCloseTo((128256 * 4096 * 4.5) / 8 / 1e9, 9);
  });

  it("falls back to Q5_0 / Q8_0 where rows are not a multiple of 256 (Gemma 3 1B: hidden 1152)", () => {
    // Rows of 1152: token_embd (tied, output) Q6_K → Q8_0: 262,144 × 1152 × 8.5 / 8 = 320.86 MB;
    // q, k, gate, up Q4_K → Q5_0; attn_v Q8_0 on the 13 more-bits layers, Q5_0 on the rest.
    // Rows of 1024 (attn_output) and 6912 (ffn_down) keep Q4_K / Q6_K. Sum: 0.798988 GB.
    expect(modelWeightsGb(model("gemma_3_1b"), "q4_k_m").totalGb).toBeCloseTo(0.798988032, 9);
  });

  it("is within 3% of every published GGUF size (errors printed)", () => {
    const lines: string[] = [];
    let checked = 0;
    for (const m of snapshot.models) {
      for (const g of m.publishedGguf ?? []) {
        if (g.quant === "mxfp4") continue;
        const ours = modelWeightsGb(m, g.quant).totalGb;
        const error = ours / g.sizeGb - 1;
        lines.push(
          `  ${m.id.padEnd(16)} ${g.quant.padEnd(7)} published ${g.sizeGb.toFixed(2).padStart(6)} GB, ours ${ours.toFixed(3).padStart(7)} GB, ${(error * 100).toFixed(1)}%`,
        );
        expect(Math.abs(error), `${m.id} ${g.quant}`).toBeLessThanOrEqual(0.03);
        checked++;
      }
    }
    console.log(`GGUF sizes vs published:\n${lines.join("\n")}`);
    expect(checked).toBeGreaterThanOrEqual(14);
  });

  it("counts every listed model's parameters from its config within 1.5% of its card", () => {
    for (const m of snapshot.models) {
      const { total } = parameterCount(m);
      expect(Math.abs(total / 1e9 / m.paramsB - 1), m.id).toBeLessThanOrEqual(0.015);
    }
  });

  it("takes MoE memory from all experts and speed from the active ones (Qwen3 30B-A3B)", () => {
    const qwen = model("qwen3_30b_a3b");
    const { total, activePerToken } = parameterCount(qwen);
    // Experts: 48 layers × 128 × 3 × 2048 × 768 = 28.99 B of 30.53 B; 8 of 128 active → 3.04 B per token.
    expect(total / 1e9).toBeCloseTo(30.53, 1);
    expect(activePerToken / 1e9).toBeCloseTo(3.04, 1);
    const w = modelWeightsGb(qwen, "q4_k_m");
    expect(w.totalGb).toBeGreaterThan(17);
    expect(w.readPerTokenGb).toBeLessThan(w.totalGb / 8);
  });

  it("keeps gpt-oss experts in their native MXFP4 at every quant", () => {
    const oss = model("gpt_oss_20b");
    // Experts 24 × 32 × 3 × 2880² = 19.11 B params × 4.25 / 8 = 10.15 GB at any quant.
    const experts = (24 * 32 * 3 * 2880 * 2880 * 4.25) / 8 / 1e9;
    expect(modelWeightsGb(oss, "fp16").totalGb).toBeGreaterThan(experts);
    expect(modelWeightsGb(oss, "fp16").totalGb - modelWeightsGb(oss, "q8_0").totalGb).toBeLessThan(2);
  });

  it("rejects an impossible shape", () => {
    expect(() => modelWeightsGb({ ...model("llama_3_1_8b"), layers: 0 }, "q4_k_m")).toThrow(RangeError);
    expect(() =>
      modelWeightsGb(
        { ...model("qwen3_30b_a3b"), moe: { experts: 4, expertsPerToken: 8, expertIntermediateSize: 768 } },
        "q4_k_m",
      ),
    ).toThrow(RangeError);
  });
});

describe("genericWeightsGb (parameter count only)", () => {
  it.each<{ paramsB: number; quant: Quant; gb: number }>([
    { paramsB: 8, quant: "fp16", gb: 16 }, // 8 × 16 / 8
    { paramsB: 8, quant: "q8_0", gb: 8.5 }, // 8 × 8.5 / 8
    { paramsB: 8, quant: "q4_k_m", gb: 4.9 }, // 8 × 4.9 / 8
  ])("$paramsB B at $quant = $gb GB", ({ paramsB, quant, gb }) => {
    expect(genericWeightsGb(paramsB, quant).totalGb).toBeCloseTo(gb, 12);
  });

  it.each([0, -8, Number.NaN])("rejects %s B params", (paramsB) => {
    expect(() => genericWeightsGb(paramsB, "q4_k_m")).toThrow(RangeError);
  });
});

describe("kvCacheGb", () => {
  it("Llama 3.1 8B at 4,096 tokens: 2 × 32 layers × 8 KV heads × 128 × 4096 × 2 B = 0.537 GB", () => {
    expect(kvCacheGb({ layers: 32, kvHeads: 8, headDim: 128, context: 4096 })).toBeCloseTo(0.536870912, 12);
  });

  it("is 4× smaller with 8 KV heads than with 32 attention heads", () => {
    const gqa = kvCacheGb({ layers: 32, kvHeads: 8, headDim: 128, context: 4096 });
    const mha = kvCacheGb({ layers: 32, kvHeads: 32, headDim: 128, context: 4096 });
    expect(mha / gqa).toBeCloseTo(4, 12);
  });

  it("keeps only the window on Gemma 2's local layers: 3/4 of the naive cache at 8,192 tokens", () => {
    // 26 layers, 13 global × 8192 + 13 local × 4096 = 159,744 token-layers (naive 212,992)
    // 2 × 4 × 256 × 2 B × 159,744 = 654,311,424 B
    const g = model("gemma_2_2b");
    const kv = kvCacheGb({ ...g, context: 8192 });
    expect(kv).toBeCloseTo(0.654311424, 12);
    expect(kv / kvCacheGb({ ...g, slidingWindow: undefined, context: 8192 })).toBeCloseTo(0.75, 12);
    // Under the window the layers keep everything.
    expect(kvCacheGb({ ...g, context: 4096 })).toBeCloseTo(
      kvCacheGb({ ...g, slidingWindow: undefined, context: 4096 }),
      12,
    );
  });

  it("Gemma 3 27B at 131,072 tokens: 10 global layers of 62, the rest keep 1,024", () => {
    // global = floor(62 / 6) = 10; 10 × 131,072 + 52 × 1,024 = 1,363,968 token-layers
    // 2 × 16 × 128 × 2 B × 1,363,968 = 11,173,625,856 B
    expect(kvCacheGb({ ...model("gemma_3_27b"), context: 131072 })).toBeCloseTo(11.173625856, 9);
  });

  it.each([
    { layers: 0, kvHeads: 8, headDim: 128, context: 1 },
    { layers: 32, kvHeads: 8, headDim: 128, context: -1 },
    { layers: 32, kvHeads: 8, headDim: 128, context: 1.5 },
    { layers: 32, kvHeads: 8, headDim: 128, context: 1, bytesPerElement: 0 },
  ])("rejects %o", (input) => {
    expect(() => kvCacheGb(input)).toThrow(RangeError);
  });
});

describe("decode speed, calibrated on published runs", () => {
  const runs = snapshot.speedMeasurements.flatMap((set) => set.runs);
  const predict = (run: (typeof runs)[number], eta: number) => {
    const m = model(run.model);
    const d = device(run.device);
    return decodeTokensPerSecond({
      bandwidthGbs: d.bandwidthGbs,
      efficiency: eta,
      weightsReadGb: modelWeightsGb(m, run.quant).readPerTokenGb,
      kvReadGb: kvCacheGb({ ...m, context: run.meanContext }),
    });
  };
  const impliedEta = (run: (typeof runs)[number]) => run.tokensPerSecond / predict(run, 1);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  };

  it("sets each calibrated η to the median of its runs (short-context runs)", () => {
    let checked = 0;
    for (const [backend, { eta, calibrated }] of Object.entries(DECODE_EFFICIENCY)) {
      for (const quant of calibrated) {
        const own = runs.filter(
          (r) => device(r.device).backend === backend && r.quant === quant && r.meanContext <= 512,
        );
        expect(own.length, `${backend} ${quant}`).toBeGreaterThanOrEqual(3);
        expect(eta[quant], `${backend} ${quant}`).toBeCloseTo(median(own.map(impliedEta)), 3);
        checked++;
      }
      // No q8_0 run anywhere: the midpoint of fp16 and q4_k_m.
      expect(eta.q8_0).toBeCloseTo((eta.fp16 + eta.q4_k_m) / 2, 3);
    }
    expect(checked).toBe(5);
    // Classes without runs must not claim a calibration.
    for (const backend of ["embedded_gpu", "phone"] as const)
      expect(DECODE_EFFICIENCY[backend].calibrated).toEqual([]);
  });

  it("prints the residuals; median |error| ≤ 15% in sample (≤ 20% leave-one-out)", () => {
    const residuals = runs.map((run) => {
      const backend = device(run.device).backend as BackendClass;
      const predicted = predict(run, DECODE_EFFICIENCY[backend].eta[run.quant]);
      // Leave-one-out: η from the other short-context runs of the class and quant.
      const others = runs.filter(
        (r) =>
          r !== run && r.meanContext <= 512 && r.quant === run.quant && device(r.device).backend === backend,
      );
      const loo = predict(run, median(others.map(impliedEta)));
      return {
        run,
        predicted,
        error: predicted / run.tokensPerSecond - 1,
        looError: loo / run.tokensPerSecond - 1,
      };
    });
    console.log(
      `Decode speed vs published runs (${snapshot.speedMeasurements.map((set) => `${set.source.publisher}, ${set.asOf}`).join("; ")}):\n${residuals
        .map(
          ({ run, predicted, error, looError }) =>
            `  ${run.device.padEnd(26)} ${run.model.padEnd(13)} ${run.quant.padEnd(6)} ctx ${String(run.meanContext).padStart(4)}: measured ${run.tokensPerSecond.toFixed(1).padStart(6)}, estimate ${predicted.toFixed(1).padStart(6)} t/s, ${(error * 100).toFixed(1).padStart(6)}% (leave-one-out ${(looError * 100).toFixed(1)}%)`,
        )
        .join("\n")}`,
    );
    const inSample = median(residuals.map((r) => Math.abs(r.error)));
    const leaveOneOut = median(residuals.map((r) => Math.abs(r.looError)));
    console.log(
      `median |error|: ${(inSample * 100).toFixed(1)}% in sample, ${(leaveOneOut * 100).toFixed(1)}% leave-one-out`,
    );
    expect(residuals.length).toBeGreaterThanOrEqual(20);
    expect(inSample).toBeLessThanOrEqual(0.15);
    // Out of sample it is worse (each η then comes from 2–6 other runs); this bounds the overfit.
    expect(leaveOneOut).toBeLessThanOrEqual(0.2);
  });

  it("slows down as the cache fills: the KV read per token counts", () => {
    const base: FitInput = {
      model: { shape: model("llama_3_1_8b") },
      quant: "q4_k_m",
      context: 4096,
      maxContext: 131072,
      memoryGb: 80,
      bandwidthGbs: 1008,
      backend: "discrete_gpu",
    };
    const short = edgeFit(base);
    const long = edgeFit({ ...base, context: 131072 });
    // 4096: 4.617 GB weights read + 0.537 GB KV; 131,072: + 17.18 GB KV → about 4.3× slower.
    expect(short.tokensPerSecond / long.tokensPerSecond).toBeCloseTo(
      (short.readPerTokenGb - short.kvCacheGb + long.kvCacheGb) / short.readPerTokenGb,
      9,
    );
    expect(long.tokensPerSecond).toBeLessThan(short.tokensPerSecond / 4);
  });

  it("rejects a non-positive bandwidth or efficiency", () => {
    expect(() =>
      decodeTokensPerSecond({ bandwidthGbs: 0, efficiency: 0.6, weightsReadGb: 1, kvReadGb: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      decodeTokensPerSecond({ bandwidthGbs: 100, efficiency: 0, weightsReadGb: 1, kvReadGb: 0 }),
    ).toThrow(RangeError);
  });
});

describe("edgeFit", () => {
  const llama8b: FitInput = {
    model: { shape: model("llama_3_1_8b") },
    quant: "q4_k_m",
    context: 4096,
    maxContext: 131072,
    memoryGb: 23.5,
    bandwidthGbs: 1008,
    backend: "discrete_gpu",
  };

  it("Llama 3.1 8B on an RTX 4090 (worked by hand)", () => {
    // weights 4.9117 GB (per-tensor Q4_K_M) + KV 0.5369 + overhead 0.5 = 5.9486 GB ≤ 23.5 → fits
    // read per token = 4.9117 − 0.2955 (token_embd) + 0.5369 = 5.1531 GB; 0.656 × 1008 ÷ 5.1531 = 128.3 t/s
    // fp16: 16.06 + 0.54 + 0.5 = 17.1 GB also fits → best fp16
    const r = edgeFit(llama8b);
    const weights = modelWeightsGb(model("llama_3_1_8b"), "q4_k_m");
    expect(r.weightsGb).toBeCloseTo(weights.totalGb, 12);
    expect(r.weightsGb).toBeCloseTo(4.9117, 3);
    expect(r.kvCacheGb).toBeCloseTo(0.536870912, 9);
    expect(r.totalGb).toBeCloseTo(weights.totalGb + 0.536870912 + 0.5, 9);
    expect(r.fits).toBe(true);
    expect(r.bestQuant).toBe("fp16");
    expect(r.tokensPerSecond).toBeCloseTo((0.656 * 1008) / (weights.readPerTokenGb + 0.536870912), 9);
    expect(r.efficiencyCalibrated).toBe(true);
  });

  it("agrees with itself at the exact memory boundary", () => {
    const exact = edgeFit({ ...llama8b, memoryGb: edgeFit(llama8b).totalGb });
    expect(exact.fits).toBe(true);
    expect(exact.maxContext).toBeGreaterThanOrEqual(4096);
    expect(edgeFit({ ...llama8b, memoryGb: exact.totalGb - 1e-6 }).fits).toBe(false);
  });

  it("finds the longest context exactly, also with sliding windows", () => {
    const input: FitInput = {
      model: { shape: model("gemma_3_12b") },
      quant: "q4_k_m",
      context: 4096,
      maxContext: 131072,
      memoryGb: 12,
      bandwidthGbs: 400,
      backend: "apple_unified",
    };
    const r = edgeFit(input);
    expect(r.maxContext).toBeGreaterThan(0);
    expect(r.maxContext).toBeLessThan(131072);
    expect(edgeFit({ ...input, context: r.maxContext }).fits).toBe(true);
    expect(edgeFit({ ...input, context: r.maxContext + 1 }).fits).toBe(false);
  });

  it("uses the parameter count when the architecture is unknown", () => {
    // 14 B × 4.9 / 8 = 8.575 GB + KV of the borrowed shape + 0.5
    const r = edgeFit({ ...llama8b, model: { paramsB: 14, kvShape: model("qwen3_14b") }, memoryGb: 16 });
    expect(r.weightsGb).toBeCloseTo(8.575, 12);
    expect(r.kvCacheGb).toBeCloseTo(kvCacheGb({ ...model("qwen3_14b"), context: 4096 }), 12);
  });

  it("marks the efficiency of uncalibrated backends and quants", () => {
    const at = (backend: BackendClass, quant: Quant) =>
      edgeFit({ ...llama8b, backend, quant, memoryGb: 24, bandwidthGbs: 60 }).efficiencyCalibrated;
    expect(at("phone", "q4_k_m")).toBe(false);
    // The CPU class is calibrated at q4_k_m only (Raspberry Pi 5 runs).
    expect(at("cpu", "q4_k_m")).toBe(true);
    expect(at("cpu", "fp16")).toBe(false);
    expect(at("discrete_gpu", "q8_0")).toBe(false);
  });

  it.each<[string, Partial<FitInput>]>([
    ["zero memory", { memoryGb: 0 }],
    ["negative bandwidth", { bandwidthGbs: -1 }],
    ["zero max context", { maxContext: 0 }],
    ["negative context", { context: -1 }],
    ["unknown backend", { backend: "abacus" as BackendClass }],
  ])("rejects %s", (_label, override) => {
    expect(() => edgeFit({ ...llama8b, ...override })).toThrow(RangeError);
  });
});
