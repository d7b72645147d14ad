import { describe, expect, it } from "vitest";
import type { Sourced } from "../../src/core/snapshot.ts";
import { snapshot } from "../../src/data/snapshot.ts";

/** The snapshot must not claim data from after the day it was assembled. */
const LATEST = Date.parse("2026-11-24T23:59:59Z");
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Every Sourced record in the snapshot, labelled with where it sits, for the common checks. */
function allSourced(): Array<[string, Sourced]> {
  const out: Array<[string, Sourced]> = [];
  const n = snapshot.network;
  for (const [key, v] of Object.entries(n)) out.push([`network.${key}`, v]);
  out.push(["fleetEfficiencyJPerTh", snapshot.fleetEfficiencyJPerTh]);
  out.push(["makers", snapshot.makers]);
  out.push(["antpoolTemplateGroup", snapshot.antpoolTemplateGroup]);
  for (const r of snapshot.regions) {
    out.push([`regions.${r.id}.price`, r.price]);
    out.push([`regions.${r.id}.share`, r.share]);
  }
  for (const m of snapshot.machines) out.push([`machines.${m.id}.spec`, m.spec]);
  for (const f of snapshot.forecasts) out.push([`forecasts.${f.id}`, f]);
  for (const m of snapshot.models) out.push([`models.${m.id}`, m]);
  for (const d of snapshot.devices) out.push([`devices.${d.id}`, d]);
  return out;
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
      expect(s.source.trim(), `${where}: source`).not.toBe("");
      expect(s.asOf, `${where}: asOf "${s.asOf}" is not ISO 8601`).toMatch(ISO_DATE);
      const t = Date.parse(s.asOf);
      expect(Number.isNaN(t), `${where}: asOf "${s.asOf}" does not parse`).toBe(false);
      expect(t, `${where}: asOf ${s.asOf} is in the future`).toBeLessThanOrEqual(LATEST);
      if (s.note !== undefined) expect(s.note.trim(), `${where}: empty note`).not.toBe("");
    }
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

  it("uses the Cambridge 2025 fleet efficiency", () => {
    expect(snapshot.fleetEfficiencyJPerTh.value).toBe(28.2);
    expect(snapshot.fleetEfficiencyJPerTh.asOf).toBe("2025-04-29");
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
        expect(r.basis.trim(), r.id).not.toBe("");
        expect(r.hashrateSharePct, r.id).toBeGreaterThanOrEqual(0);
        expect(r.hashrateSharePct, r.id).toBeLessThanOrEqual(100);
        sum += r.hashrateSharePct;
      }
      expect(sum).toBeLessThanOrEqual(100);
    });

    it("uses the 2026-07-08 Ethiopian tariff and a range midpoint for Paraguay", () => {
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
      expect(priced[0]?.spec.note).toMatch(/est\./);
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

    it("starts with the 2025 $24.91B -> 2033 $118.69B edge-AI total series", () => {
      const first = forecasts[0];
      expect(first?.scope).toBe("edge_ai_total");
      expect(first?.startYear).toBe(2025);
      expect(first?.startUsdB).toBe(24.91);
      expect(first?.endYear).toBe(2033);
      expect(first?.endUsdB).toBe(118.69);
      expect(first?.publishedCagrPct).toBe(21.7);
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
        if (f.publishedCagrPct === undefined) continue;
        const implied = ((f.endUsdB / f.startUsdB) ** (1 / (f.endYear - f.startYear)) - 1) * 100;
        expect(Math.abs(implied - f.publishedCagrPct), f.id).toBeLessThan(1);
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
      ]) {
        expect(ids).toContain(id);
      }
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
      ]) {
        expect(ids).toContain(id);
      }
      expect(devices.some((d) => d.kind === "laptop" && d.memoryGb === 16 && /ddr5/i.test(d.name))).toBe(
        true,
      );
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
