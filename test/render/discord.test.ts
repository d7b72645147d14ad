import { describe, expect, it } from "vitest";
import type { Reply, SourceRef } from "../../src/core/index.ts";
import { COLORS, EMBED_LIMITS, embedLength, renderDiscord, splitText } from "../../src/render/discord.ts";

const at = "2025-12-01T00:10:00.000Z";
const live: SourceRef = {
  name: "BTC price",
  source: "mempool.space /v1/prices",
  asOf: "2025-12-01T00:09:48Z",
  fetchedAt: "2025-12-01T00:09:48Z",
  status: "live",
};

function reply(overrides: Partial<Reply> = {}): Reply {
  return {
    title: "Mining cost — Paraguay",
    summary: "Electricity cost per BTC: $31,245 at $0.045/kWh.",
    fields: [{ name: "Hashprice", value: "$48.12 /PH/day", inline: true }],
    sources: [live],
    warnings: [],
    data: {},
    generatedAt: at,
    ...overrides,
  };
}

function total(message: ReturnType<typeof renderDiscord>): number {
  return message.embeds.reduce((n, e) => n + embedLength(e), 0);
}

function withinLimits(message: ReturnType<typeof renderDiscord>): void {
  expect(message.embeds.length).toBeGreaterThan(0);
  expect(message.embeds.length).toBeLessThanOrEqual(EMBED_LIMITS.embeds);
  expect(total(message)).toBeLessThanOrEqual(EMBED_LIMITS.total);
  for (const embed of message.embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(EMBED_LIMITS.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(EMBED_LIMITS.description);
    expect(embed.footer?.text.length ?? 0).toBeLessThanOrEqual(EMBED_LIMITS.footer);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(EMBED_LIMITS.fields);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeGreaterThan(0);
      expect(field.name.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
    }
  }
}

/** Every number as written in the reply's table, to check none was cut. */
function numbersIn(text: string): string[] {
  return text.match(/\d[\d,.]*/g) ?? [];
}

describe("renderDiscord", () => {
  it("without a headline (a note): title, summary, fields, footer with the sources line, timestamp", () => {
    const message = renderDiscord(reply());
    expect(message.embeds).toHaveLength(1);
    const [embed] = message.embeds;
    expect(embed!.title).toBe("Mining cost — Paraguay");
    expect(embed!.description).toBe("Electricity cost per BTC: $31,245 at $0.045/kWh.");
    expect(embed!.fields).toEqual([{ name: "Hashprice", value: "$48.12 /PH/day", inline: true }]);
    expect(embed!.footer!.text).toBe("Sources: mempool.space live 12 s");
    expect(embed!.timestamp).toBe(at);
    expect(embed!.color).toBe(COLORS.fresh);
  });

  it("with a headline: a lead embed (author = title, title = headline, figures, image), details below", () => {
    const message = renderDiscord(
      reply({
        headline: "Mining 1 BTC in Paraguay costs $31,245 in electricity.",
        figures: [
          { label: "Cost per BTC", value: "$31,245" },
          { label: "Break_even *power*", value: "$0.12/kWh" },
        ],
      }),
      { imageUrl: "attachment://chart.png" },
    );
    withinLimits(message);
    const [lead, details] = message.embeds;
    expect(lead).toEqual({
      color: COLORS.fresh,
      author: { name: "Mining cost — Paraguay" },
      title: "Mining 1 BTC in Paraguay costs $31,245 in electricity.",
      description: "**Cost per BTC:** $31,245\n**Break\\_even \\*power\\*:** $0.12/kWh",
      image: { url: "attachment://chart.png" },
    });
    expect(details!.description).toBe("Electricity cost per BTC: $31,245 at $0.045/kWh.");
    expect(details!.fields).toEqual([{ name: "Hashprice", value: "$48.12 /PH/day", inline: true }]);
    expect(details!.footer!.text).toBe("Sources: mempool.space live 12 s");
  });

  it("escapes field names: markdown and masked links show as typed", () => {
    const message = renderDiscord(
      reply({ fields: [{ name: "[click](https://evil.example) **bold**", value: "v" }] }),
    );
    expect(message.embeds[0]!.fields![0]!.name).toBe("\\[click\\](https://evil.example) \\*\\*bold\\*\\*");
  });

  it("colours by freshness: stale amber, snapshot fallback grey, reference blue, error red", () => {
    expect(renderDiscord(reply({ sources: [{ ...live, status: "stale" }] })).embeds[0]!.color).toBe(
      COLORS.stale,
    );
    const fallback: SourceRef = { ...live, status: "snapshot", fallback: true, asOf: "2025-11-30" };
    expect(renderDiscord(reply({ sources: [live, fallback] })).embeds[0]!.color).toBe(COLORS.fallback);
    expect(renderDiscord(reply({ sources: [{ ...fallback, fallback: false }] })).embeds[0]!.color).toBe(
      COLORS.reference,
    );
    expect(renderDiscord(reply({ error: { code: "invalid_value" } })).embeds[0]!.color).toBe(COLORS.error);
    expect(renderDiscord(reply({ sources: [fallback] })).embeds[0]!.footer!.text).toContain(
      "bundled snapshot Nov 2025 (live data unavailable)",
    );
  });

  it("puts warnings under the summary and escapes markdown so text shows as typed", () => {
    const message = renderDiscord(
      reply({
        summary: 'Unknown region "**x**_y".',
        warnings: ["BTC price is stale: last fetched 5 min ago."],
      }),
    );
    expect(message.embeds[0]!.description).toBe(
      'Unknown region "\\*\\*x\\*\\*\\_y".\n⚠️ BTC price is stale: last fetched 5 min ago.',
    );
  });

  it("clips a title over 256 characters", () => {
    const message = renderDiscord(reply({ title: "T".repeat(400) }));
    expect(message.embeds[0]!.title).toHaveLength(256);
    expect(message.embeds[0]!.title!.endsWith("…")).toBe(true);
  });

  it("splits a description over 4096 characters at line breaks into another embed", () => {
    const line = "The cost per BTC is 31,245 dollars here. ".repeat(4).trim();
    const summary = Array.from({ length: 30 }, () => line).join("\n");
    const message = renderDiscord(reply({ summary }));
    withinLimits(message);
    expect(message.embeds.length).toBe(2);
    const shown = message.embeds.map((e) => e.description).join("\n");
    expect(shown).toBe(summary);
  });

  it("splits a field value over 1024 characters into continuation fields, keeping every number", () => {
    const value = Array.from({ length: 80 }, (_, i) => `row ${i}: ${(123456.789 * i).toFixed(3)}`).join("\n");
    const message = renderDiscord(reply({ fields: [{ name: "Long", value }] }));
    withinLimits(message);
    const fields = message.embeds[0]!.fields!;
    expect(fields.length).toBeGreaterThan(1);
    expect(fields[1]!.name).toBe("Long (cont.)");
    expect(fields.map((f) => f.value).join("\n")).toBe(value);
  });

  it("clips a field name over 256 characters", () => {
    const message = renderDiscord(reply({ fields: [{ name: "N".repeat(300), value: "1" }] }));
    expect(message.embeds[0]!.fields![0]!.name).toHaveLength(256);
  });

  it("puts more than 25 fields into a second embed", () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `F${i}`, value: `${i * 1000}` }));
    const message = renderDiscord(reply({ fields }));
    withinLimits(message);
    expect(message.embeds[0]!.fields).toHaveLength(25);
    expect(message.embeds[1]!.fields).toHaveLength(5);
    expect(message.embeds[1]!.fields![4]).toEqual({ name: "F29", value: "29000" });
  });

  it("shows a short table as a code block in the description", () => {
    const table = {
      columns: ["Region", "USD/BTC"],
      rows: [
        ["Paraguay", "31,245"],
        ["Texas", "58,900"],
      ],
      align: ["left", "right"] as ("left" | "right")[],
    };
    const description = renderDiscord(reply({ table })).embeds[0]!.description!;
    expect(description).toContain(
      "```\nRegion    USD/BTC\n--------  -------\nParaguay   31,245\nTexas      58,900\n```",
    );
  });

  it("splits a long table by rows into further embeds, never cutting a number", () => {
    const rows = Array.from({ length: 300 }, (_, i) => [`region_${i}`, (98765.4321 * (i + 1)).toFixed(2)]);
    const message = renderDiscord(reply({ table: { columns: ["Region", "USD per BTC"], rows } }));
    withinLimits(message);
    expect(message.embeds.length).toBeGreaterThan(1);
    const blocks = message.embeds.slice(1).map((e) => e.description!);
    for (const block of blocks) expect(block.startsWith("```\nRegion")).toBe(true);
    const shownRows = blocks.flatMap((b) => b.split("\n")).filter((l) => l.startsWith("region_"));
    // Every row shown is whole, with its number intact; the rest are counted.
    for (const row of shownRows) {
      const i = Number(/region_(\d+)/.exec(row)![1]);
      expect(numbersIn(row)).toContain(rows[i]![1]);
    }
    expect(shownRows.length).toBeLessThan(rows.length);
    const note = blocks.at(-1)!.split("\n").at(-1)!;
    expect(note).toBe(`… ${rows.length - shownRows.length} more rows not shown`);
  });

  it("escapes backticks in a table so the code block cannot be closed early", () => {
    const message = renderDiscord(reply({ table: { columns: ["a"], rows: [["x```y"]] } }));
    expect(message.embeds[0]!.description!.match(/```/g)).toHaveLength(2);
  });

  it("cuts a footer with many sources at a source boundary, with a count", () => {
    const sources = Array.from({ length: 60 }, (_, i) => ({
      ...live,
      name: `Dataset ${i}`,
      source: `Publisher ${i} /v1/x`,
    }));
    const footer = renderDiscord(reply({ sources })).embeds[0]!.footer!.text;
    // One short line: at most 200 characters, however many sources.
    expect(footer.length).toBeLessThanOrEqual(200);
    expect(footer).toMatch(/ · \+\d+ more \(\/sources\)$/);
    expect(footer).toMatch(
      /^Sources: Publisher 0 live 12 s · Publisher 1 live 12 s · .*Publisher \d+ live 12 s · \+/,
    );
  });

  it("keeps a huge answer within 6000 characters and 10 embeds and says what was left out", () => {
    const fields = Array.from({ length: 300 }, (_, i) => ({ name: `Field ${i}`, value: "v".repeat(100) }));
    const message = renderDiscord(reply({ fields }));
    withinLimits(message);
    expect(message.embeds.at(-1)!.footer!.text).toMatch(/\d+ more parts not shown/);
  });

  it("splitText cuts only at line breaks or spaces unless one word is longer than the limit", () => {
    expect(splitText("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(splitText("aa\nbb\ncc", 5)).toEqual(["aa\nbb", "cc"]);
    expect(splitText("abcdefgh", 3)).toEqual(["abc", "def", "gh"]);
  });
});
