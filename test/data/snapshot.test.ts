import { describe, expect, it } from "vitest";
import type { Sourced } from "../../src/core/snapshot.ts";
import { loadSnapshotFiles, parseSnapshot, snapshot } from "../../src/data/snapshot.ts";

/** The snapshot must not claim data from after the day it was assembled. */
const LATEST = Date.parse("2026-11-24T23:59:59Z");
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Every provenance record in the snapshot, labelled with where it sits, for the common checks. */
function allSourced(): Array<[string, Sourced]> {
  const out: Array<[string, Sourced]> = [];
  const n = snapshot.network;
  for (const [key, v] of Object.entries(n)) out.push([`network.${key}`, v]);
  out.push(["fleetEfficiencyJPerTh", snapshot.fleetEfficiencyJPerTh]);
  out.push(["makers", snapshot.makers]);
  out.push(["antpoolTemplateGroup", snapshot.antpoolTemplateGroup]);
  out.push(["country-shares", snapshot.regions[0]!.share]);
  for (const r of snapshot.regions) out.push([`regions.${r.id}.price`, r.price]);
  for (const m of snapshot.machines) out.push([`machines.${m.id}.spec`, m.spec]);
  for (const f of snapshot.forecasts) out.push([`forecasts.${f.id}`, f]);
  for (const m of snapshot.models) out.push([`models.${m.id}`, m]);
  for (const d of snapshot.devices) out.push([`devices.${d.id}`, d]);
  for (const [i, set] of snapshot.speedMeasurements.entries()) out.push([`speed-measurements.${i}`, set]);
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON, broken one field at a time on purpose
type Raw = Record<string, any>;

/** A fresh copy of the raw files, for breaking one field at a time. */
function rawFiles(): Raw {
  return structuredClone(loadSnapshotFiles()) as Raw;
}

function expectUniqueIds(label: string, ids: string[]): void {
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(dupes, `${label}: duplicate ids`).toEqual([]);
  for (const id of ids) expect(id, `${label}: id ${id}`).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
}

/**
 * The matching key the catalog lookup compares (src/core/suggest.ts normalizeName: lower-case, "+" as "plus",
 * only a-z and 0-9). Copied here so the test pins the data, not the helper.
 */
function matchKey(value: string): string {
  return value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\+/g, "plus")
    .replace(/[^a-z0-9]/g, "");
}

/**
 * Aliases are lower-case, unique across the whole list, never another entry's id, and no two entries share a
 * matching key (id, name or alias after normalisation), so a typed name can only ever mean one entry.
 */
function expectAliases(label: string, entries: Array<{ id: string; name: string; aliases: string[] }>): void {
  const keyOwner = new Map<string, string>();
  for (const e of entries) {
    for (const key of [e.id, e.name, ...e.aliases].map(matchKey)) {
      expect(key, `${label}.${e.id}: a name or alias normalises to nothing`).not.toBe("");
      const prev = keyOwner.get(key);
      if (prev !== undefined && prev !== e.id) {
        throw new Error(`${label}: "${key}" matches both ${prev} and ${e.id}`);
      }
      keyOwner.set(key, e.id);
    }
  }
  const owner = new Map<string, string>();
  for (const e of entries) owner.set(e.id, e.id);
  for (const e of entries) {
    for (const alias of e.aliases) {
      expect(alias, `${label}.${e.id}: alias "${alias}" must be lower-case and trimmed`).toBe(
        alias.toLowerCase().trim(),
      );
      expect(alias.length, `${label}.${e.id}: empty alias`).toBeGreaterThan(0);
      const prev = owner.get(alias);
      if (prev !== undefined && prev !== e.id) {
        throw new Error(`${label}: alias "${alias}" of ${e.id} clashes with ${prev}`);
      }
      expect(prev, `${label}: alias "${alias}" repeated within ${e.id}`).toBeUndefined();
      owner.set(alias, e.id);
    }
  }
}

describe("bundled snapshot", () => {
  it("has an assembly date no later than the latest allowed", () => {
    expect(snapshot.assembledAt).toMatch(ISO_DATE);
    expect(Date.parse(snapshot.assembledAt)).toBeLessThanOrEqual(LATEST);
  });

  it("gives every figure a source and a parseable, non-future asOf date", () => {
    const records = allSourced();
    expect(records.length).toBeGreaterThan(50);
    for (const [where, s] of records) {
      expect(s.source.publisher.trim(), `${where}: publisher`).not.toBe("");
      expect(s.source.title.trim(), `${where}: title`).not.toBe("");
      expect(s.source.url, `${where}: url`).toMatch(/^https:\/\//);
      expect(s.basis.trim(), `${where}: basis`).not.toBe("");
      expect(s.asOf, `${where}: asOf "${s.asOf}" is not ISO 8601`).toMatch(ISO_DATE);
      const t = Date.parse(s.asOf);
      expect(Number.isNaN(t), `${where}: asOf "${s.asOf}" does not parse`).toBe(false);
      expect(t, `${where}: asOf ${s.asOf} is in the future`).toBeLessThanOrEqual(LATEST);
    }
  });

  describe("schema", () => {
    it("loads the bundled files as they are", () => {
      expect(() => parseSnapshot(rawFiles())).not.toThrow();
    });

    // One figure of each kind: a network scalar, a regional price, the share vintage, a pool table,
    // and the catalog records whose provenance sits on the entry or its spec.
    const figures: Array<[string, (f: Raw) => Record<string, unknown>]> = [
      ["network.difficulty", (f) => f.network.difficulty],
      ["regions.0.price", (f) => f.regions[0].price],
      ["country-shares", (f) => f["country-shares"]],
      ["pools-1w", (f) => f["pools-1w"]],
      ["makers", (f) => f.makers],
    ];
    for (const [where, pick] of figures) {
      for (const field of ["value", "unit", "source", "asOf", "basis"]) {
        it(`rejects ${where} without ${field}, naming the field`, () => {
          const files = rawFiles();
          delete pick(files)[field];
          expect(() => parseSnapshot(files)).toThrow(`${where}.${field}`);
        });
      }
    }
    const records: Array<[string, (f: Raw) => Record<string, unknown>]> = [
      ["asics.0.spec", (f) => f.asics[0].spec],
      ["models.0", (f) => f.models[0]],
      ["devices.0", (f) => f.devices[0]],
      ["forecasts.0", (f) => f.forecasts[0]],
    ];
    for (const [where, pick] of records) {
      for (const field of ["source", "asOf", "basis"]) {
        it(`rejects ${where} without ${field}`, () => {
          const files = rawFiles();
          delete pick(files)[field];
          expect(() => parseSnapshot(files)).toThrow(`${where}.${field}`);
        });
      }
    }

    it("rejects a source without a URL, an empty basis and a malformed date", () => {
      const noUrl = rawFiles();
      delete noUrl.network.btcPriceUsd.source.url;
      expect(() => parseSnapshot(noUrl)).toThrow("network.btcPriceUsd.source.url");
      const emptyBasis = rawFiles();
      emptyBasis.regions[1].price.basis = "  ";
      expect(() => parseSnapshot(emptyBasis)).toThrow("regions.1.price.basis");
      const badDate = rawFiles();
      badDate.network.tipHeight.asOf = "Jan 2026";
      expect(() => parseSnapshot(badDate)).toThrow("network.tipHeight.asOf");
    });

    it("rejects a share for a region that does not exist", () => {
      const files = rawFiles();
      files["country-shares"].value.atlantis = 1;
      expect(() => parseSnapshot(files)).toThrow('unknown region "atlantis"');
    });

    it("lists the oldest figures, and only catalog specs or marked figures are old", () => {
      const byAge = allSourced().sort(([, a], [, b]) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
      const oldest = byAge.slice(0, 10);
      console.log(
        `Oldest bundled figures:\n${oldest.map(([where, s]) => `  ${s.asOf.padEnd(10)} ${where} — ${s.source.publisher}`).join("\n")}`,
      );
      expect(oldest[0]![0]).toBe("regions.china.price");
      // Two years before assembly: anything older is a spec sheet, release date or benchmark run (a catalog entry
      // ages as a product, not as a price), a superseded edition no answer ranges over, or says in its
      // own record that it is an estimate.
      const cutoff = "2024-11-24";
      const old = byAge.filter(([, s]) => s.asOf < cutoff);
      for (const [where, s] of old) {
        const catalog = /^(machines|models|devices)\.|^speed-measurements\./.test(where);
        const superseded = "supersededBy" in s && s.supersededBy !== undefined;
        expect(
          catalog || superseded || s.estimate === true,
          `${where} (${s.asOf}) is old and not marked`,
        ).toBe(true);
      }
    });
  });

  describe("network", () => {
    const n = snapshot.network;

    it("has plausible scalar values", () => {
      expect(n.difficulty.value).toBeGreaterThan(50e12);
      expect(n.difficulty.value).toBeLessThan(500e12);
      expect(n.btcPriceUsd.value).toBeGreaterThan(1000);
      expect(n.feesPerBlockBtc.value).toBe(0.036);
      expect(Number.isInteger(n.tipHeight.value)).toBe(true);
      expect(n.tipHeight.value).toBeGreaterThan(840_000);
    });

    it("labels the fee fallback as the average it is, not a 144-block window", () => {
      expect(n.feesPerBlockBtc.basis).toMatch(/2025 annual average/);
      expect(n.feesPerBlockBtc.basis).toMatch(/not a recent 144-block window/);
    });

    it("takes each pool window from its own data, and marks the shares-based one as an estimate", () => {
      const share = (pools: typeof n.pools1w.value, slug: string) => {
        const total = pools.reduce((sum, p) => sum + p.blockCount, 0);
        return pools.find((p) => p.slug === slug)!.blockCount / total;
      };
      // 1w: Foundry 310 of 998 blocks (mempool.space, 2025-03-20) = 31.1%; 1m: ~37% × 4,320 = 1,598.
      expect(share(n.pools1w.value, "foundryusa")).toBeCloseTo(310 / 998, 6);
      expect(share(n.pools1m.value, "foundryusa")).toBeCloseTo(1598 / 4320, 6);
      expect(n.pools1w.asOf).not.toBe(n.pools1m.asOf);
      expect(n.pools1m.estimate).toBe(true);
      expect(n.pools1m.basis).toMatch(/not counted blocks/);
    });

    it("has pool windows of about 1008 and 4320 blocks with mempool-style slugs", () => {
      for (const [window, pools, expected] of [
        ["1w", n.pools1w.value, 1008],
        ["1m", n.pools1m.value, 4320],
      ] as const) {
        const total = pools.reduce((sum, p) => sum + p.blockCount, 0);
        expect(Math.abs(total - expected), `${window}: ${total} blocks`).toBeLessThanOrEqual(expected * 0.02);
        const slugs = pools.map((p) => p.slug);
        expect(new Set(slugs).size, `${window}: duplicate slugs`).toBe(slugs.length);
        for (const p of pools) {
          expect(p.slug, `${window}: slug ${p.slug}`).toMatch(/^[a-z0-9]+$/);
          expect(Number.isInteger(p.blockCount) && p.blockCount >= 0, `${window}: ${p.name}`).toBe(true);
        }
        expect(pools.find((p) => p.slug === "unknown")?.name).toBe("Unknown");
        expect(pools[0]?.slug).toBe("foundryusa");
      }
    });
  });

  it("uses the Cambridge 2025 figure as the industry-wide 2024 efficiency", () => {
    expect(snapshot.fleetEfficiencyJPerTh.value).toBe(28.2);
    expect(snapshot.fleetEfficiencyJPerTh.unit).toBe("J/TH");
    expect(snapshot.fleetEfficiencyJPerTh.asOf).toBe("2025-04-29");
    expect(snapshot.fleetEfficiencyJPerTh.basis).toMatch(/Industry-wide average/);
    expect(snapshot.fleetEfficiencyJPerTh.basis).not.toMatch(/of respondents/);
  });

  describe("regions", () => {
    const regions = snapshot.regions;

    it("has unique snake_case ids and unique lower-case aliases", () => {
      expectUniqueIds(
        "regions",
        regions.map((r) => r.id),
      );
      expectAliases("regions", regions);
    });

    it("covers the required places, with China for reference only", () => {
      const ids = regions.map((r) => r.id);
      for (const id of [
        "us_average",
        "texas",
        "paraguay",
        "ethiopia",
        "russia",
        "kazakhstan",
        "canada",
        "norway",
        "uae",
        "oman",
        "china",
      ]) {
        expect(ids).toContain(id);
      }
      expect(regions.find((r) => r.id === "china")?.referenceOnly).toBe(true);
      expect(regions.filter((r) => r.referenceOnly).map((r) => r.id)).toEqual(["china"]);
    });

    it("resolves the short codes users type", () => {
      const byAlias = new Map(regions.flatMap((r) => r.aliases.map((a) => [a, r.id] as const)));
      expect(byAlias.get("us")).toBe("us_average");
      expect(byAlias.get("usa")).toBe("us_average");
      expect(byAlias.get("united states")).toBe("us_average");
      expect(byAlias.get("tx")).toBe("texas");
      expect(byAlias.get("py")).toBe("paraguay");
      expect(byAlias.get("et")).toBe("ethiopia");
      expect(byAlias.get("ru")).toBe("russia");
      expect(byAlias.get("kz")).toBe("kazakhstan");
      expect(byAlias.get("ca")).toBe("canada");
      expect(byAlias.get("no")).toBe("norway");
      expect(byAlias.get("ae")).toBe("uae");
      expect(byAlias.get("om")).toBe("oman");
      expect(byAlias.get("cn")).toBe("china");
    });

    it("has sane prices and shares that sum to at most 100%", () => {
      let sum = 0;
      for (const r of regions) {
        expect(r.usdPerKwh, r.id).toBeGreaterThan(0);
        expect(r.usdPerKwh, r.id).toBeLessThan(0.5);
        expect(r.price.unit, r.id).toBe("USD/kWh");
        expect(r.basis.trim(), r.id).not.toBe("");
        if (r.hashrateSharePct === null) continue;
        expect(r.hashrateSharePct, r.id).toBeGreaterThan(0);
        expect(r.hashrateSharePct, r.id).toBeLessThanOrEqual(100);
        sum += r.hashrateSharePct;
      }
      expect(sum).toBeLessThanOrEqual(100);
    });

    it("takes every share from one vintage of whole-network estimates, never a survey sample", () => {
      const dated = new Set(regions.map((r) => `${r.share.asOf} ${r.share.source.title}`));
      expect(dated.size).toBe(1);
      expect(regions[0]!.share.unit).toBe("% of network hashrate");
      // Norway's 2.8% was its share of Cambridge's survey sample, not of the network.
      expect(regions.find((r) => r.id === "norway")!.hashrateSharePct).toBeNull();
      expect(regions.find((r) => r.id === "texas")!.hashrateSharePct).toBeNull();
      expect(regions.find((r) => r.id === "us_average")!.hashrateSharePct).toBe(35.81);
    });

    it("names places without qualifiers, so labels never leak into rankings", () => {
      for (const r of regions) expect(r.name, r.id).not.toMatch(/[()]/);
    });

    it("prices Québec at the existing large-power rate, not the new-crypto-load rate", () => {
      const ca = regions.find((r) => r.id === "canada")!;
      // (4.025 ¢ + $15.426/kW ÷ 720 h) = 4.025 + 2.1425 = 6.1675 ¢CAD/kWh × 0.72 USD/CAD = 4.44 ¢
      expect(ca.usdPerKwh).toBeCloseTo(((4.025 + 1542.6 / 720) * 0.72) / 100, 4);
      expect(ca.price.source.publisher).toBe("Hydro-Québec");
      expect(ca.price.estimate).toBe(true);
    });

    it("marks the residential stand-ins for Kazakhstan, the UAE and Oman as estimates", () => {
      for (const id of ["kazakhstan", "uae", "oman"]) {
        const r = regions.find((x) => x.id === id)!;
        expect(r.price.estimate, id).toBe(true);
        expect(r.basis, id).toMatch(/^Estimate: no (miner|industrial)/);
      }
    });

    it("uses the Ethiopian tariff in force from 2026-07-08 and a range midpoint for Paraguay", () => {
      expect(regions.find((r) => r.id === "ethiopia")?.usdPerKwh).toBe(0.05);
      const py = regions.find((r) => r.id === "paraguay");
      expect(py?.usdPerKwh).toBeGreaterThanOrEqual(0.037);
      expect(py?.usdPerKwh).toBeLessThanOrEqual(0.06);
      expect(py?.basis).toMatch(/range/);
    });
  });

  describe("machines", () => {
    const machines = snapshot.machines;

    it("has unique ids and unique lower-case aliases", () => {
      expectUniqueIds(
        "machines",
        machines.map((m) => m.id),
      );
      expectAliases("machines", machines);
    });

    it("has efficiency within 3% of powerW / hashrateThs", () => {
      for (const m of machines) {
        expect(m.hashrateThs, m.id).toBeGreaterThan(0);
        expect(m.powerW, m.id).toBeGreaterThan(0);
        const implied = m.powerW / m.hashrateThs;
        expect(Math.abs(implied - m.efficiencyJPerTh) / m.efficiencyJPerTh, m.id).toBeLessThanOrEqual(0.03);
        expect(m.released, m.id).toMatch(ISO_DATE);
        if (m.priceUsd !== undefined) expect(m.priceUsd, m.id).toBeGreaterThan(0);
      }
    });

    it("covers the required models and the spellings users type", () => {
      const ids = machines.map((m) => m.id);
      for (const id of [
        "s19_pro",
        "s19_xp",
        "s21",
        "s21_pro",
        "s21_plus",
        "s21_xp",
        "m60s",
        "avalon_a1466",
        "a16_xp",
      ]) {
        expect(ids).toContain(id);
      }
      const byAlias = new Map(machines.flatMap((m) => m.aliases.map((a) => [a, m.id] as const)));
      expect(byAlias.get("s21 xp")).toBe("s21_xp");
      expect(byAlias.get("s21xp")).toBe("s21_xp");
      expect(byAlias.get("antminer s21 xp")).toBe("s21_xp");
      expect(byAlias.get("s21+")).toBe("s21_plus");
      expect(byAlias.get("s21 plus")).toBe("s21_plus");
      expect(byAlias.get("whatsminer m60s")).toBe("m60s");
      expect(byAlias.get("a1466")).toBe("avalon_a1466");
      expect(byAlias.get("avalon a16 xp")).toBe("a16_xp");
    });

    it("prices only the S21 (the one published deal price), flagged as an estimate", () => {
      const priced = machines.filter((m) => m.priceUsd !== undefined);
      expect(priced.map((m) => m.id)).toEqual(["s21"]);
      expect(priced[0]?.spec.estimate).toBe(true);
      expect(priced[0]?.spec.basis).toMatch(/CleanSpark/);
    });
  });

  it("lists Bitmain at 82% and leaves the rest unsplit", () => {
    const makers = snapshot.makers.value;
    expect(makers.find((m) => m.name === "Bitmain")?.sharePct).toBe(82);
    expect(makers.find((m) => m.name === "MicroBT")?.sharePct).toBeNull();
    expect(makers.find((m) => m.name === "Canaan")?.sharePct).toBeNull();
    const known = makers.reduce((s, m) => s + (m.sharePct ?? 0), 0);
    expect(known).toBeLessThanOrEqual(100);
  });

  it("groups AntPool with the pools b10c names", () => {
    const group = snapshot.antpoolTemplateGroup.value;
    expect(group[0]).toBe("AntPool");
    expect(new Set(group).size).toBe(group.length);
  });

  describe("forecasts", () => {
    const forecasts = snapshot.forecasts;

    it("starts with the edge-AI total series from the base year of its published CAGR", () => {
      // 21.7% is published for 2026–2033: (118.69 / 29.98)^(1/7) − 1 = 3.9590^(0.142857) − 1 = 21.72%
      const first = forecasts[0];
      expect(first?.scope).toBe("edge_ai_total");
      expect([first?.startYear, first?.startUsdB, first?.endYear, first?.endUsdB]).toEqual([
        2026, 29.98, 2033, 118.69,
      ]);
      expect(first?.publishedCagr).toEqual({ pct: 21.7, fromYear: 2026, toYear: 2033 });
      expect(first?.basis).toMatch(/24\.91 B in 2025/);
    });

    it("marks the earlier edition superseded and the 'over $107B' figure as a floor", () => {
      expect(forecasts.find((f) => f.id === "edge_ai_gvr_2024")?.supersededBy).toBe("edge_ai_gvr_2025");
      expect(forecasts.find((f) => f.id === "edge_ai_total_2022")?.endIsLowerBound).toBe(true);
      for (const f of forecasts) {
        if (f.supersededBy)
          expect(
            forecasts.map((g) => g.id),
            f.id,
          ).toContain(f.supersededBy);
      }
    });

    it("has unique ids, one known scope each, and growing spans", () => {
      expectUniqueIds(
        "forecasts",
        forecasts.map((f) => f.id),
      );
      for (const f of forecasts) {
        expect(["edge_ai_total", "edge_ai_chips", "edge_ai_hardware"], f.id).toContain(f.scope);
        expect(f.endYear, f.id).toBeGreaterThan(f.startYear);
        expect(f.startUsdB, f.id).toBeGreaterThan(0);
        expect(f.endUsdB, f.id).toBeGreaterThan(0);
        expect(f.publisher.trim(), f.id).not.toBe("");
      }
    });

    it("has published CAGRs close to the ones implied by the endpoints", () => {
      for (const f of forecasts) {
        if (f.publishedCagr === undefined) continue;
        const implied = ((f.endUsdB / f.startUsdB) ** (1 / (f.endYear - f.startYear)) - 1) * 100;
        expect(Math.abs(implied - f.publishedCagr.pct), f.id).toBeLessThan(1);
      }
    });
  });

  describe("models", () => {
    const models = snapshot.models;

    it("has unique ids and unique lower-case aliases", () => {
      expectUniqueIds(
        "models",
        models.map((m) => m.id),
      );
      expectAliases("models", models);
    });

    it("covers the required presets", () => {
      const ids = models.map((m) => m.id);
      for (const id of [
        "llama_3_2_1b",
        "llama_3_2_3b",
        "llama_3_1_8b",
        "qwen2_5_7b",
        "mistral_7b",
        "gemma_2_9b",
        "phi_3_mini",
        "llama_3_1_70b",
        ...["0_6b", "1_7b", "4b", "8b", "14b", "32b", "30b_a3b"].map((size) => `qwen3_${size}`),
        ...["1b", "4b", "12b", "27b"].map((size) => `gemma_3_${size}`),
        "phi_4",
        "phi_4_mini",
        "mistral_small_3",
        "deepseek_r1_distill_qwen_7b",
        "deepseek_r1_distill_llama_8b",
        "gpt_oss_20b",
      ]) {
        expect(ids).toContain(id);
      }
    });

    it("describes each mixture-of-experts model with fewer active experts than it has", () => {
      const moe = models.filter((m) => m.moe);
      expect(moe.map((m) => m.id).sort()).toEqual(["gpt_oss_20b", "qwen3_30b_a3b"]);
      for (const m of moe) expect(m.moe!.expertsPerToken, m.id).toBeLessThan(m.moe!.experts);
    });

    it("has sane architecture values", () => {
      for (const m of models) {
        expect(m.paramsB, m.id).toBeGreaterThan(0);
        expect(m.paramsB, m.id).toBeLessThan(1000);
        for (const [k, v] of [
          ["layers", m.layers],
          ["kvHeads", m.kvHeads],
          ["headDim", m.headDim],
          ["maxContext", m.maxContext],
        ] as const) {
          expect(Number.isInteger(v) && v > 0, `${m.id}.${k} = ${v}`).toBe(true);
        }
        expect(m.kvHeads, m.id).toBeLessThanOrEqual(128);
        expect([64, 80, 96, 128, 256], `${m.id}.headDim`).toContain(m.headDim);
        expect(m.maxContext, m.id).toBeGreaterThanOrEqual(2048);
      }
    });

    it("matches the published configs of the required presets", () => {
      const byId = new Map(models.map((m) => [m.id, m]));
      const expected: Record<string, [layers: number, kvHeads: number, headDim: number, maxContext: number]> =
        {
          llama_3_2_1b: [16, 8, 64, 131072],
          llama_3_2_3b: [28, 8, 128, 131072],
          llama_3_1_8b: [32, 8, 128, 131072],
          qwen2_5_7b: [28, 4, 128, 32768],
          mistral_7b: [32, 8, 128, 32768],
          gemma_2_9b: [42, 8, 256, 8192],
          phi_3_mini: [32, 32, 96, 4096],
        };
      for (const [id, [layers, kvHeads, headDim, maxContext]] of Object.entries(expected)) {
        const m = byId.get(id);
        expect(m, id).toBeDefined();
        expect([m?.layers, m?.kvHeads, m?.headDim, m?.maxContext], id).toEqual([
          layers,
          kvHeads,
          headDim,
          maxContext,
        ]);
      }
    });
  });

  describe("devices", () => {
    const devices = snapshot.devices;

    it("has unique ids and unique lower-case aliases", () => {
      expectUniqueIds(
        "devices",
        devices.map((d) => d.id),
      );
      expectAliases("devices", devices);
    });

    it("covers the required presets", () => {
      const ids = devices.map((d) => d.id);
      for (const id of [
        "iphone_15_pro",
        "pixel_8_pro",
        "galaxy_s24_ultra",
        "raspberry_pi_5_8gb",
        "jetson_orin_nano_8gb",
        "jetson_agx_orin_64gb",
        "macbook_air_m2_16gb",
        "macbook_pro_m3_max_64gb",
        "rtx_4090",
        "rtx_3060_12gb",
        "rtx_3090",
        "rtx_5090",
        "macbook_air_m1_8gb",
        "macbook_pro_m1_max_64gb",
        "mac_studio_m2_ultra_192gb",
        "mac_mini_m4_16gb",
        "macbook_pro_m4_max_128gb",
        "iphone_16_pro",
        "galaxy_s25_ultra",
        "raspberry_pi_5_16gb",
        "jetson_orin_nano_super_8gb",
        "jetson_orin_nx_16gb",
        "snapdragon_x_elite_32gb",
      ]) {
        expect(ids).toContain(id);
      }
      expect(devices.some((d) => d.kind === "laptop" && d.memoryGb === 16 && /ddr5/i.test(d.name))).toBe(
        true,
      );
    });

    it("gives the Jetson Orin Nano the ≈5.2 GB that is free after the OS, not 6.5", () => {
      expect(devices.find((d) => d.id === "jetson_orin_nano_8gb")?.usableMemoryGb).toBe(5.2);
    });

    it("has every calibration run refer to a listed model and device", () => {
      const modelIds = new Set(snapshot.models.map((m) => m.id));
      const deviceIds = new Set(devices.map((d) => d.id));
      for (const run of snapshot.speedMeasurements.flatMap((set) => set.runs)) {
        expect(modelIds.has(run.model), run.model).toBe(true);
        expect(deviceIds.has(run.device), run.device).toBe(true);
      }
    });

    it("has usable memory within total memory and positive bandwidth", () => {
      for (const d of devices) {
        expect(d.memoryGb, d.id).toBeGreaterThan(0);
        expect(d.usableMemoryGb, d.id).toBeGreaterThan(0);
        expect(d.usableMemoryGb, d.id).toBeLessThanOrEqual(d.memoryGb);
        expect(d.bandwidthGbs, d.id).toBeGreaterThan(0);
        expect(d.bandwidthGbs, d.id).toBeLessThan(10_000);
      }
    });
  });
});
