import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/index.ts";
import { escapeHtml, renderTelegram, splitHtml, TELEGRAM_MESSAGE_LIMIT } from "../../src/render/telegram.ts";
import { checkTelegramHtml, visibleText } from "../support/fake-telegram.ts";

function reply(overrides: Partial<Reply> = {}): Reply {
  return {
    title: "Cost to mine 1 BTC — Paraguay",
    summary: "Mining 1 BTC costs $81,465 in electricity.",
    fields: [{ name: "Hashprice", value: "$37.13 per PH/s per day" }],
    sources: [
      {
        name: "BTC price",
        source: "mempool.space /v1/prices",
        asOf: "2025-12-01T00:00:00Z",
        fetchedAt: "2025-12-01T00:00:00Z",
        status: "live",
      },
    ],
    warnings: [],
    data: {},
    generatedAt: "2025-12-01T00:00:12Z",
    ...overrides,
  };
}

const valid = (chunk: string) => expect(checkTelegramHtml(chunk)).toBeUndefined();

describe("renderTelegram", () => {
  it("puts a bold title, the summary, fields, and sources with their age on the last line", () => {
    const [message, ...rest] = renderTelegram(reply());
    expect(rest).toEqual([]);
    expect(message).toBe(
      [
        "<b>Cost to mine 1 BTC — Paraguay</b>",
        "Mining 1 BTC costs $81,465 in electricity.",
        "",
        "<b>Hashprice</b>: $37.13 per PH/s per day",
        "",
        "<i>Sources: BTC price — mempool.space /v1/prices (live, 12 s old)</i>",
      ].join("\n"),
    );
    valid(message!);
  });

  it("escapes every string from commands, users and upstreams", () => {
    const [message] = renderTelegram(
      reply({
        title: "Machine <script>alert(1)</script>",
        summary: 'Q&A "quoted" <b>not bold</b>',
        fields: [{ name: "<i>name</i>", value: "<script>alert('x')</script> & more" }],
        warnings: ["price <unknown> & stale"],
        sources: [{ name: "<src>", source: "a&b", asOf: "2025-01-01", status: "snapshot" }],
      }),
    );
    valid(message!);
    expect(message).not.toContain("<script>");
    expect(message).toContain("<b>Machine &lt;script&gt;alert(1)&lt;/script&gt;</b>");
    expect(message).toContain("Q&amp;A &quot;quoted&quot; &lt;b&gt;not bold&lt;/b&gt;");
    expect(message).toContain(
      "<b>&lt;i&gt;name&lt;/i&gt;</b>: &lt;script&gt;alert('x')&lt;/script&gt; &amp; more",
    );
    expect(message).toContain("⚠️ price &lt;unknown&gt; &amp; stale");
    expect(message).toMatch(/\n<i>Sources: &lt;src&gt; — a&amp;b \([^<>]*2025-01-01[^<>]*\)<\/i>$/);
    expect(visibleText(message!)).toContain("Machine <script>alert(1)</script>");
  });

  it("shows a table in a <pre> block with aligned columns, escaped", () => {
    const [message] = renderTelegram(
      reply({
        table: {
          columns: ["Region", "Cost/BTC"],
          rows: [
            ["Paraguay", "$79,836"],
            ["Q<uébec>", "$209,570"],
          ],
          align: ["left", "right"],
        },
      }),
    );
    valid(message!);
    expect(message).toContain(
      [
        "<pre>Region    Cost/BTC",
        "--------  --------",
        "Paraguay   $79,836",
        "Q&lt;uébec&gt;  $209,570</pre>",
      ].join("\n"),
    );
    // Sources stay the last line.
    expect(message!.split("\n").at(-1)).toMatch(/^<i>Sources: /);
  });

  it("renders warnings with ⚠️ before the sources", () => {
    const [message] = renderTelegram(reply({ warnings: ["BTC price is stale: last fetched 5 min ago."] }));
    const lines = message!.split("\n");
    expect(lines.at(-3)).toBe("⚠️ BTC price is stale: last fetched 5 min ago.");
    expect(lines.at(-1)).toMatch(/^<i>Sources/);
  });

  it("renders an error reply as a short message without sources", () => {
    const messages = renderTelegram(
      reply({
        title: "Can't do that",
        summary: 'usd_per_kwh must be a number (for example usd_per_kwh=0.045); got "<abc>".',
        error: { code: "invalid_value" },
      }),
    );
    expect(messages).toEqual([
      "<b>Can't do that</b>\nusd_per_kwh must be a number (for example usd_per_kwh=0.045); got &quot;&lt;abc&gt;&quot;.",
    ]);
  });

  it("splits a 10k-character answer into valid chunks of at most 4096 at line boundaries", () => {
    const rows = Array.from({ length: 120 }, (_, i) => [
      `Region <${i}>`,
      `$${(i * 1234).toLocaleString("en-US")}`,
    ]);
    const long = reply({
      fields: Array.from({ length: 40 }, (_, i) => ({
        name: `Field ${i}`,
        value: `value & ${"x".repeat(60)} ${i}`,
      })),
      table: { columns: ["Region", "Cost"], rows, align: ["left", "right"] },
      warnings: ["one & two"],
    });
    const chunks = renderTelegram(long);
    const total = chunks.join("\n").length;
    expect(total).toBeGreaterThan(6000);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      valid(chunk);
      expect(chunk).not.toMatch(/^\n|\n$/);
    }
    // Nothing lost, nothing duplicated: the visible lines are the unsplit answer's lines.
    const unsplit = renderTelegram(long, 1_000_000)[0]!;
    expect(chunks.map(visibleText).join("\n")).toBe(visibleText(unsplit));
    // The table that had to split is a <pre> block in every part it appears in.
    const withRows = chunks.filter((c) => c.includes("Region &lt;"));
    expect(withRows.length).toBeGreaterThanOrEqual(1);
    for (const chunk of withRows) expect(chunk).toMatch(/<pre>[\s\S]*Region &lt;\d+&gt;[\s\S]*<\/pre>/);
    expect(chunks.at(-1)!.split("\n").at(-1)).toMatch(/^<i>Sources: /);
  });

  it("closes and reopens <pre> when a table splits, never cutting an entity", () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`a&b<${i}>`, "x".repeat(20)]);
    const chunks = renderTelegram(reply({ table: { columns: ["k", "v"], rows } }));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const middle = chunks.slice(1, -1);
    for (const chunk of middle) {
      expect(chunk.startsWith("<pre>")).toBe(true);
      expect(chunk.endsWith("</pre>")).toBe(true);
    }
    for (const chunk of chunks) {
      valid(chunk);
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      // Each table row survives whole in one chunk.
      for (const line of visibleText(chunk).split("\n"))
        if (line.startsWith("a&b")) expect(line).toMatch(/^a&b<\d+> +x{20}$/);
    }
  });

  it("splits one huge line at spaces, keeping the bold open across chunks", () => {
    const word = "lorem&ipsum ";
    const html = `<b>${escapeHtml(word.repeat(900).trim())}</b>`;
    const chunks = splitHtml(html, 4096);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(html.length / 4096));
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(html.length / 4096) + 1);
    for (const chunk of chunks) {
      valid(chunk);
      expect(chunk.length).toBeLessThanOrEqual(4096);
      expect(chunk).toMatch(/^<b>lorem&amp;ipsum[\s\S]*ipsum<\/b>$/);
    }
    expect(chunks.map(visibleText).join(" ")).toBe(word.repeat(900).trim());
  });

  it("keeps a short answer as one message", () => {
    expect(splitHtml("<b>x</b>\ny")).toEqual(["<b>x</b>\ny"]);
  });
});
