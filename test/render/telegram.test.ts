import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/index.ts";
import {
  escapeHtml,
  renderTelegram,
  renderTelegramPhoto,
  splitHtml,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_MESSAGE_LIMIT,
  TELEGRAM_PRE_WIDTH,
} from "../../src/render/telegram.ts";
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
  it("without a headline (a note): bold title, summary, folded fields, sources last", () => {
    const [message, ...rest] = renderTelegram(reply());
    expect(rest).toEqual([]);
    expect(message).toBe(
      [
        "<b>Cost to mine 1 BTC — Paraguay</b>",
        "Mining 1 BTC costs $81,465 in electricity.",
        "<blockquote expandable><b>Hashprice</b>: $37.13 per PH/s per day</blockquote>",
        "<i>Sources: mempool.space live 12 s</i>",
      ].join("\n"),
    );
    valid(message!);
  });

  it("with a headline: headline first, figures, then title and summary folded", () => {
    const [message] = renderTelegram(
      reply({
        headline: "Mining 1 BTC in Paraguay costs $81,465 in electricity.",
        figures: [
          { label: "Cost per BTC", value: "$81,465" },
          { label: "Break-even power", value: "$0.088/kWh" },
          { label: "Hashprice", value: "$37.13/PH/s/day" },
        ],
      }),
    );
    expect(message).toBe(
      [
        "<b>Mining 1 BTC in Paraguay costs $81,465 in electricity.</b>",
        "Cost per BTC: <b>$81,465</b>",
        "Break-even power: <b>$0.088/kWh</b>",
        "Hashprice: <b>$37.13/PH/s/day</b>",
        "<blockquote expandable><b>Cost to mine 1 BTC — Paraguay</b>",
        "Mining 1 BTC costs $81,465 in electricity.",
        "<b>Hashprice</b>: $37.13 per PH/s per day</blockquote>",
        "<i>Sources: mempool.space live 12 s</i>",
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
    // A bundled figure is named by its publisher and dated, not aged.
    expect(message).toMatch(/\n<i>Sources: a&amp;b Jan 2025<\/i>$/);
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
        "</blockquote>",
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
    expect(lines.at(-2)).toBe("⚠️ BTC price is stale: last fetched 5 min ago.</blockquote>");
    expect(lines.at(-1)).toMatch(/^<i>Sources/);
  });

  it("renders an error reply as a short message without sources", () => {
    const messages = renderTelegram(
      reply({
        title: "Invalid usd_per_kwh",
        summary: 'usd_per_kwh must be a number (for example usd_per_kwh=0.045); got "<abc>".',
        error: { code: "invalid_value" },
      }),
    );
    expect(messages).toEqual([
      "<b>Invalid usd_per_kwh</b>\nusd_per_kwh must be a number (for example usd_per_kwh=0.045); got &quot;&lt;abc&gt;&quot;.",
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
    // A table too long for the first screen is a ranked list in the fold, quoted in every part.
    const withRows = chunks.filter((c) => c.includes("Region &lt;"));
    expect(withRows.length).toBeGreaterThanOrEqual(1);
    for (const chunk of withRows)
      expect(chunk).toMatch(
        /<blockquote expandable>[\s\S]*• Region &lt;\d+&gt; — Cost \$[\s\S]*<\/blockquote>/,
      );
    expect(chunks.join("")).not.toContain("<pre>");
    expect(chunks.at(-1)!.split("\n").at(-1)).toMatch(/^<i>Sources: /);
  });

  it("closes and reopens the expandable quote when a long list splits, never cutting an entity", () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`a&b<${i}>`, "x".repeat(20)]);
    const chunks = renderTelegram(reply({ table: { columns: ["k", "v"], rows } }));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const middle = chunks.slice(1, -1);
    for (const chunk of middle) {
      expect(chunk.startsWith("<blockquote expandable>")).toBe(true);
      expect(chunk.endsWith("</blockquote>")).toBe(true);
    }
    for (const chunk of chunks) {
      valid(chunk);
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      // Each table row survives whole in one chunk.
      for (const line of visibleText(chunk).split("\n"))
        if (line.startsWith("• a&b")) expect(line).toMatch(/^• a&b<\d+> — v x{20}$/);
    }
  });

  it("a single table cell of 10,000 characters never yields a part over 4096", () => {
    const cell = `${"word ".repeat(1000)}${"y".repeat(5000)}`;
    const chunks = renderTelegram(reply({ table: { columns: ["Name", "Note"], rows: [["one", cell]] } }));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      valid(chunk);
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      expect(chunk).not.toContain("<pre>");
    }
    expect(chunks.map(visibleText).join("").replace(/\s/g, "")).toContain("y".repeat(5000));
  });

  it("a wide table becomes a list; a narrow one stays a <pre> of at most 36 columns", () => {
    const wide = renderTelegram(
      reply({
        table: {
          columns: ["Region", "$/kWh", "Cost/BTC", "Share", "At today's price"],
          rows: [["United States (average)", "0.086", "$134,069", "37.8%", "under water"]],
        },
      }),
    )[0]!;
    expect(wide).not.toContain("<pre>");
    expect(visibleText(wide)).toContain(
      "• United States (average) — $/kWh 0.086 · Cost/BTC $134,069 · Share 37.8% · At today's price under water",
    );
    const narrow = renderTelegram(
      reply({
        table: { columns: ["Region", "$k/BTC"], rows: [["Russia", "51.4"]], align: ["left", "right"] },
      }),
    )[0]!;
    const pre = /<pre>([\s\S]*)<\/pre>/.exec(narrow)![1]!;
    for (const line of pre.split("\n")) expect(line.length).toBeLessThanOrEqual(TELEGRAM_PRE_WIDTH);
  });

  it("a photo caption holds the whole answer when it fits 1024, else the lead and a second message", () => {
    const short = renderTelegramPhoto(reply({ headline: "Short answer: $1." }));
    expect(short.messages).toEqual([]);
    expect(short.caption).toContain("<blockquote expandable>");
    const long = renderTelegramPhoto(
      reply({
        headline: "Long answer: $2.",
        figures: [{ label: "Cost", value: "$2" }],
        fields: Array.from({ length: 30 }, (_, i) => ({ name: `Field ${i}`, value: "x".repeat(50) })),
      }),
    );
    expect(long.caption.length).toBeLessThanOrEqual(TELEGRAM_CAPTION_LIMIT);
    expect(long.caption).toBe(
      "<b>Long answer: $2.</b>\nCost: <b>$2</b>\n<i>Sources: mempool.space live 12 s</i>",
    );
    expect(long.messages.length).toBeGreaterThanOrEqual(1);
    for (const m of long.messages) valid(m);
    expect(long.messages[0]).toMatch(/^<blockquote expandable><b>Cost to mine/);
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
