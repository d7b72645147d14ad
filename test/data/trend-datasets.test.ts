/** The bundled history datasets: every figure sourced and dated, and the schema refuses one that is not. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  countrySharesSchema,
  openModelsSchema,
  parseDataset,
  trendDatasets,
} from "../../src/data/trend-datasets.ts";

const file = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../src/data/snapshot/${name}`, import.meta.url), "utf8"));

describe("bundled trend datasets", () => {
  it("load, with every model score carrying its own source and date", () => {
    const { models, levels } = trendDatasets.openModels;
    expect(models.length).toBeGreaterThanOrEqual(20);
    for (const m of models) {
      expect(m.scores.length, m.id).toBeGreaterThan(0);
      for (const s of [m.paramsB, ...(m.activeParamsB ? [m.activeParamsB] : []), ...m.scores]) {
        expect(s.source.url, m.id).toMatch(/^https:\/\//);
        expect(s.source.publisher.length, m.id).toBeGreaterThan(0);
        expect(s.source.title.length, m.id).toBeGreaterThan(0);
        expect(s.asOf, m.id).toMatch(/^\d{4}/);
        expect(s.basis.length, m.id).toBeGreaterThan(0);
      }
    }
    // The GPT-3.5 level is the GPT-4 Technical Report's 70.0 % (5-shot MMLU, Table 2).
    expect(levels[0]).toMatchObject({ id: "gpt_3_5", benchmark: "MMLU", score: { value: 70 } });
    expect(trendDatasets.openModels.densingLaw.value).toBe(3.5);
    expect(trendDatasets.countryShares.length).toBeGreaterThanOrEqual(5);
    expect(trendDatasets.makerShares.length).toBeGreaterThanOrEqual(2);
    expect(trendDatasets.fleetEfficiency.some((f) => f.kind === "fleet_average")).toBe(true);
  });

  it("refuses a score without a source, naming the model and the field", () => {
    const json = file("open-models.json");
    delete json.models[3].scores[0].source;
    expect(() => parseDataset("open-models.json", openModelsSchema, json)).toThrow(
      /open-models\.json is invalid: models\.3\.scores\.0\.source: /,
    );
  });

  it("refuses a score source without a URL, a date that is not ISO, and MoE active > total", () => {
    const noUrl = file("open-models.json");
    noUrl.models[0].scores[0].source.url = "";
    expect(() => parseDataset("open-models.json", openModelsSchema, noUrl)).toThrow(/scores\.0\.source\.url/);
    const badDate = file("open-models.json");
    badDate.models[0].released = "Feb 2023";
    expect(() => parseDataset("open-models.json", openModelsSchema, badDate)).toThrow(/models\.0\.released/);
    const moe = file("open-models.json");
    const mixtral = moe.models.findIndex((m: { id: string }) => m.id === "mixtral_8x7b");
    moe.models[mixtral].activeParamsB.value = 100;
    expect(() => parseDataset("open-models.json", openModelsSchema, moe)).toThrow(
      /active parameters exceed the total/,
    );
  });

  it("refuses country shares adding up to more than 100 %", () => {
    const json = file("country-shares-history.json");
    json.points[0].value.push({ name: "Elsewhere", sharePct: 50 });
    expect(() => parseDataset("country-shares-history.json", countrySharesSchema, json)).toThrow(
      /more than 100%/,
    );
  });
});
