/** Whether an open model runs on a device: memory for weights, KV cache and runtime against the
 * device's memory, and an estimate of the decode speed its memory bandwidth allows. */

import { requireNonNegativeInteger, requirePositive, requirePositiveInteger } from "./guards.ts";
import { BYTES_PER_GB } from "./units.ts";

export type Quant = "fp16" | "q8_0" | "q4_k_m";
/** Best precision first, so the first one that fits is the one to recommend. */
export const QUANTS: readonly Quant[] = ["fp16", "q8_0", "q4_k_m"];

/** Bits per weight of the ggml block types, from their block layouts: Q8_0 is 32 one-byte weights + a
 * 2-byte scale (34 B / 32 = 8.5); Q4_K is 144 B per 256 weights (4.5); Q6_K 210 B per 256 (6.5625);
 * Q5_0 22 B per 32 (5.5); MXFP4 17 B per 32 (4.25). */
export const BITS_PER_WEIGHT = {
  f16: 16,
  q8_0: 8.5,
  q6_k: 6.5625,
  q5_0: 5.5,
  q4_k: 4.5,
  mxfp4: 4.25,
} as const;
type BlockType = keyof typeof BITS_PER_WEIGHT;

/** For a model whose architecture is unknown (only its parameter count): the average bits per weight
 * of the quant on a Llama-class 8B, e.g. Q4_K_M = 4.92 GB ÷ 8.03 B params × 8 = 4.90 bits. */
export const AVERAGE_BITS_PER_WEIGHT: Record<Quant, number> = { fp16: 16, q8_0: 8.5, q4_k_m: 4.9 };

/** Runtime, compute buffers and the context's scratch space beyond the KV cache take a few hundred MB
 * in llama.cpp-class runtimes; 0.5 GB keeps the verdict on the safe side. */
export const RUNTIME_OVERHEAD_GB = 0.5;

/** What a config.json says about a model's tensors. */
export interface ModelShape {
  layers: number;
  hiddenSize: number;
  /** Dense feed-forward width. */
  intermediateSize: number;
  vocabSize: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number;
  /** The output projection reuses the token embedding. */
  tiedEmbeddings: boolean;
  /** Local-attention layers keep the last `tokens`; every `globalEvery`-th layer (1-based) is global. */
  slidingWindow?: { tokens: number; globalEvery: number };
  moe?: {
    experts: number;
    expertsPerToken: number;
    expertIntermediateSize: number;
    nativeExpertFormat?: "mxfp4";
  };
}

/** One weight matrix: how many there are of it, its size, its row length (ggml's ne0, which decides
 * whether k-quants fit), and its role in the quantization rules. */
interface Tensor {
  role: "token_embd" | "output" | "attn_v" | "ffn_down" | "expert_down" | "expert" | "other";
  /** Layer index for per-layer rules; undefined for whole-model tensors. */
  layer?: number;
  params: number;
  rowLength: number;
}

function tensors(s: ModelShape): Tensor[] {
  const qDim = s.attentionHeads * s.headDim;
  const kvDim = s.kvHeads * s.headDim;
  const h = s.hiddenSize;
  const out: Tensor[] = [{ role: "token_embd", params: s.vocabSize * h, rowLength: h }];
  if (!s.tiedEmbeddings) out.push({ role: "output", params: s.vocabSize * h, rowLength: h });
  for (let layer = 0; layer < s.layers; layer++) {
    out.push(
      { role: "other", layer, params: h * qDim, rowLength: h },
      { role: "other", layer, params: h * kvDim, rowLength: h },
      { role: "attn_v", layer, params: h * kvDim, rowLength: h },
      { role: "other", layer, params: qDim * h, rowLength: qDim },
    );
    if (s.moe) {
      const e = s.moe.experts * h * s.moe.expertIntermediateSize;
      out.push(
        { role: "expert", layer, params: 2 * e, rowLength: h },
        { role: "expert_down", layer, params: e, rowLength: s.moe.expertIntermediateSize },
        { role: "other", layer, params: h * s.moe.experts, rowLength: h },
      );
    } else {
      out.push(
        { role: "other", layer, params: 2 * h * s.intermediateSize, rowLength: h },
        { role: "ffn_down", layer, params: s.intermediateSize * h, rowLength: s.intermediateSize },
      );
    }
  }
  return out;
}

/** Parameters from the shape (norms and biases, under 0.1%, left out). */
export function parameterCount(s: ModelShape): { total: number; activePerToken: number } {
  const all = tensors(s);
  const total = all.reduce((sum, t) => sum + t.params, 0);
  const share = s.moe ? s.moe.expertsPerToken / s.moe.experts : 1;
  const activePerToken = all.reduce(
    (sum, t) =>
      sum + (t.role === "token_embd" && !s.tiedEmbeddings ? 0 : isExpert(t) ? t.params * share : t.params),
    0,
  );
  return { total, activePerToken };
}

const isExpert = (t: Tensor) => t.role === "expert" || t.role === "expert_down";

/** llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between get
 * the larger type in Q4_K_M (about half the attn_v and ffn_down tensors). */
export function usesMoreBits(layer: number, layers: number): boolean {
  // Integer division, as in the C source.
  const eighth = Math.floor(layers / 8);
  return layer < eighth || layer >= Math.floor((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** The block type llama.cpp gives a tensor in a quant (llama_tensor_get_type, simplified to the rules
 * that move file sizes): Q4_K_M keeps the output (or the tied embedding that serves as output) at Q6_K
 * and half the attn_v / ffn_down at Q6_K; k-quants need rows divisible by 256, else Q5_0 / Q8_0. */
function blockType(t: Tensor, s: ModelShape, quant: Quant): BlockType {
  if (isExpert(t) && s.moe?.nativeExpertFormat === "mxfp4") return "mxfp4";
  if (quant === "fp16") return "f16";
  if (quant === "q8_0") return "q8_0";
  const asOutput = t.role === "output" || (t.role === "token_embd" && s.tiedEmbeddings);
  const moreBits =
    asOutput ||
    ((t.role === "attn_v" || t.role === "ffn_down" || t.role === "expert_down") &&
      t.layer !== undefined &&
      usesMoreBits(t.layer, s.layers));
  const kQuant: BlockType = moreBits ? "q6_k" : "q4_k";
  if (t.rowLength % 256 === 0) return kQuant;
  return kQuant === "q6_k" ? "q8_0" : "q5_0";
}

export interface WeightsGb {
  /** Size of the weights file, GB (10^9 bytes). */
  totalGb: number;
  /** Bytes read for one generated token: everything but the token-embedding table (one row is looked
   * up) and, for mixture-of-experts models, only the active experts. */
  readPerTokenGb: number;
}

/** Weights from the quantization's per-tensor composition. */
export function modelWeightsGb(s: ModelShape, quant: Quant): WeightsGb {
  validateShape(s);
  const share = s.moe ? s.moe.expertsPerToken / s.moe.experts : 1;
  let total = 0;
  let read = 0;
  for (const t of tensors(s)) {
    const bytes = (t.params * BITS_PER_WEIGHT[blockType(t, s, quant)]) / 8;
    total += bytes;
    if (t.role === "token_embd" && !s.tiedEmbeddings) continue;
    read += isExpert(t) ? bytes * share : bytes;
  }
  return { totalGb: total / BYTES_PER_GB, readPerTokenGb: read / BYTES_PER_GB };
}

/** Weights of a model known only by its parameter count (every weight read per token). */
export function genericWeightsGb(paramsB: number, quant: Quant): WeightsGb {
  requirePositive("paramsB", paramsB);
  const bits = AVERAGE_BITS_PER_WEIGHT[quant];
  if (bits === undefined) throw new RangeError(`unknown quant: ${quant}`);
  const gb = (paramsB * bits) / 8;
  return { totalGb: gb, readPerTokenGb: gb };
}

/** Keys and values (hence 2×) for every KV head of every layer, for the tokens each layer keeps: the
 * whole context, or the window for local-attention layers. kvHeads, not attention heads: grouped-query
 * models share each KV head among several query heads and store up to 8× less. */
export function kvCacheGb(a: {
  layers: number;
  kvHeads: number;
  headDim: number;
  context: number;
  slidingWindow?: { tokens: number; globalEvery: number } | undefined;
  /** Default 2: an fp16 cache, what runtimes use unless told to quantize it. */
  bytesPerElement?: number;
}): number {
  requirePositiveInteger("layers", a.layers);
  requirePositiveInteger("kvHeads", a.kvHeads);
  requirePositiveInteger("headDim", a.headDim);
  requireNonNegativeInteger("context", a.context);
  const bytesPerElement = requirePositive("bytesPerElement", a.bytesPerElement ?? 2);
  let tokensKept = a.layers * a.context;
  if (a.slidingWindow) {
    requirePositiveInteger("slidingWindow.tokens", a.slidingWindow.tokens);
    requirePositiveInteger("slidingWindow.globalEvery", a.slidingWindow.globalEvery);
    const global = Math.floor(a.layers / a.slidingWindow.globalEvery);
    tokensKept = global * a.context + (a.layers - global) * Math.min(a.context, a.slidingWindow.tokens);
  }
  return (2 * a.kvHeads * a.headDim * bytesPerElement * tokensKept) / BYTES_PER_GB;
}

/** How a runtime reaches the memory. */
export type BackendClass = "discrete_gpu" | "apple_unified" | "embedded_gpu" | "cpu" | "phone";

/**
 * Share of peak bandwidth decode achieves (η), by backend class and quant: the median over the published
 * runs in the speed-measurements dataset of measured tokens/s × bytes read per token ÷ bandwidth (the
 * test recomputes each median from the data). Dequantizing 4-bit blocks costs compute, so q4_k_m reaches
 * less of the bandwidth than fp16. A quant listed in `calibrated` has runs behind it; the others are
 * filled in as `basis` says (q8_0 has no run anywhere: the midpoint of fp16 and q4_k_m).
 */
export const DECODE_EFFICIENCY: Record<
  BackendClass,
  { eta: Record<Quant, number>; calibrated: readonly Quant[]; basis: string }
> = {
  discrete_gpu: {
    eta: { fp16: 0.813, q8_0: 0.7345, q4_k_m: 0.656 },
    calibrated: ["fp16", "q4_k_m"],
    basis: "median of 10 llama.cpp runs on RTX 30/40 cards; q8_0 interpolated",
  },
  apple_unified: {
    eta: { fp16: 0.695, q8_0: 0.6445, q4_k_m: 0.594 },
    calibrated: ["fp16", "q4_k_m"],
    basis: "median of 10 llama.cpp runs on M1, M1 Max, M2 Ultra and M3 Max; q8_0 interpolated",
  },
  cpu: {
    eta: { fp16: 0.5514, q8_0: 0.5514, q4_k_m: 0.5514 },
    calibrated: ["q4_k_m"],
    basis: "median of 4 Ollama runs on a Raspberry Pi 5; fp16 and q8_0 not measured, q4_k_m's η used",
  },
  embedded_gpu: {
    eta: { fp16: 0.695, q8_0: 0.6445, q4_k_m: 0.594 },
    calibrated: [],
    basis: "no published run in the set; Apple unified memory's η assumed (a GPU on shared LPDDR)",
  },
  phone: {
    eta: { fp16: 0.5514, q8_0: 0.5514, q4_k_m: 0.5514 },
    calibrated: [],
    basis: "no published run in the set; the CPU class's η assumed (phones also throttle when hot)",
  },
};

/** Decode is memory-bound: each token reads the weights it uses and the whole KV cache once. */
export function decodeTokensPerSecond(a: {
  bandwidthGbs: number;
  efficiency: number;
  weightsReadGb: number;
  kvReadGb: number;
}): number {
  requirePositive("bandwidthGbs", a.bandwidthGbs);
  requirePositive("efficiency", a.efficiency);
  return (a.efficiency * a.bandwidthGbs) / requirePositive("bytes per token", a.weightsReadGb + a.kvReadGb);
}

/** A model either by architecture (the per-tensor composition) or by parameter count alone, with the KV
 * shape borrowed from a listed model. */
export type FitModel =
  | { shape: ModelShape }
  | { paramsB: number; kvShape: Pick<ModelShape, "layers" | "kvHeads" | "headDim" | "slidingWindow"> };

export interface FitInput {
  model: FitModel;
  quant: Quant;
  /** Context the user wants, tokens. */
  context: number;
  /** Longest context the model supports, tokens. */
  maxContext: number;
  memoryGb: number;
  bandwidthGbs: number;
  backend: BackendClass;
}

export interface FitResult {
  weightsGb: number;
  kvCacheGb: number;
  overheadGb: number;
  totalGb: number;
  memoryGb: number;
  fits: boolean;
  /** Longest context that fits in memory at the requested quant, capped at the model's own maximum. */
  maxContext: number;
  /** Most precise quant that fits at the requested context. */
  bestQuant: Quant | null;
  /** Estimated decode speed with a full cache at the requested context. */
  tokensPerSecond: number;
  /** Bytes read per generated token: weights used + KV cache. */
  readPerTokenGb: number;
  efficiency: number;
  efficiencyCalibrated: boolean;
  /** Memory left after everything; negative when it does not fit. */
  headroomGb: number;
}

export function weightsFor(model: FitModel, quant: Quant): WeightsGb {
  return "shape" in model ? modelWeightsGb(model.shape, quant) : genericWeightsGb(model.paramsB, quant);
}

export function edgeFit(i: FitInput): FitResult {
  requirePositiveInteger("maxContext", i.maxContext);
  requirePositive("memoryGb", i.memoryGb);
  requirePositive("bandwidthGbs", i.bandwidthGbs);
  const kvShape = "shape" in i.model ? i.model.shape : i.model.kvShape;
  const kvAt = (context: number) =>
    kvCacheGb({
      layers: kvShape.layers,
      kvHeads: kvShape.kvHeads,
      headDim: kvShape.headDim,
      slidingWindow: kvShape.slidingWindow,
      context,
    });
  // One expression for "fits" everywhere, so fits, maxContext and bestQuant can never disagree.
  const totalAt = (quant: Quant, context: number): number =>
    weightsFor(i.model, quant).totalGb + kvAt(context) + RUNTIME_OVERHEAD_GB;
  const fitsAt = (quant: Quant, context: number): boolean => totalAt(quant, context) <= i.memoryGb;

  const weights = weightsFor(i.model, i.quant);
  const kv = kvAt(i.context);
  const totalGb = totalAt(i.quant, i.context);
  const backend = DECODE_EFFICIENCY[i.backend];
  if (backend === undefined) throw new RangeError(`unknown backend class: ${i.backend}`);
  const efficiency = backend.eta[i.quant];
  const calibrated = backend.calibrated.includes(i.quant);
  return {
    weightsGb: weights.totalGb,
    kvCacheGb: kv,
    overheadGb: RUNTIME_OVERHEAD_GB,
    totalGb,
    memoryGb: i.memoryGb,
    fits: totalGb <= i.memoryGb,
    maxContext: largestFittingContext(i.maxContext, (context) => fitsAt(i.quant, context)),
    bestQuant: QUANTS.find((q) => fitsAt(q, i.context)) ?? null,
    tokensPerSecond: decodeTokensPerSecond({
      bandwidthGbs: i.bandwidthGbs,
      efficiency,
      weightsReadGb: weights.readPerTokenGb,
      kvReadGb: kv,
    }),
    readPerTokenGb: weights.readPerTokenGb + kv,
    efficiency,
    efficiencyCalibrated: calibrated,
    headroomGb: i.memoryGb - totalGb,
  };
}

/** The KV cache never shrinks as the context grows, so "fits" is monotone: binary search finds the
 * last fitting token count exactly (sliding windows make the growth piecewise linear, not linear). */
function largestFittingContext(cap: number, fits: (context: number) => boolean): number {
  if (!fits(0)) return 0;
  if (fits(cap)) return cap;
  let low = 0;
  let high = cap;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}

function validateShape(s: ModelShape): void {
  for (const [name, value] of Object.entries({
    layers: s.layers,
    hiddenSize: s.hiddenSize,
    intermediateSize: s.intermediateSize,
    vocabSize: s.vocabSize,
    attentionHeads: s.attentionHeads,
    kvHeads: s.kvHeads,
    headDim: s.headDim,
  })) {
    requirePositiveInteger(name, value);
  }
  if (s.moe) {
    requirePositiveInteger("moe.experts", s.moe.experts);
    requirePositiveInteger("moe.expertsPerToken", s.moe.expertsPerToken);
    requirePositiveInteger("moe.expertIntermediateSize", s.moe.expertIntermediateSize);
    if (s.moe.expertsPerToken > s.moe.experts)
      throw new RangeError("moe.expertsPerToken exceeds moe.experts");
  }
}
