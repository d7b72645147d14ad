/** `node scripts/gallery.ts`: the README's pictures of one answer in Telegram and in Discord. It
 * renders a real answer (fixed late-2025 figures, the bundled snapshot) with the real renderers
 * and chart, puts it in a page styled like each app's dark theme, and screenshots the page with
 * headless Chromium (`apt-get install -y chromium`). Writes docs/img/{telegram,discord}-answer.png. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCommandRegistry } from "../commands/index.ts";
import { createChartRenderer } from "../src/charts/render.ts";
import { runTextLine } from "../src/core/index.ts";
import { type DiscordEmbed, renderDiscord } from "../src/render/discord.ts";
import { renderTelegramPhoto, telegramKeyboard } from "../src/render/telegram.ts";
import { consoleInvocation, memoryDeps, NOW } from "../test/support/memory-deps.ts";

const LINE = '/mining_cost texas machine="S21 XP"';
const out = join(import.meta.dirname, "..", "docs", "img");
const answered = (await runTextLine(createCommandRegistry(), LINE, {
  deps: memoryDeps(),
  invocation: consoleInvocation,
}))!;
// The in-memory network names its source "test upstream"; in service it is the mempool instance.
const reply = {
  ...answered,
  sources: answered.sources.map((s) =>
    s.source === "test upstream" ? { ...s, source: "mempool.space /api" } : s,
  ),
};
const chart = await createChartRenderer().png(reply.chart!);
const img = `data:image/png;base64,${chart.png.toString("base64")}`;
const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const font = `font-family: "Inter", "DejaVu Sans", sans-serif;`;

// Telegram: the photo with its caption, the details message (folded), the buttons.
const post = renderTelegramPhoto(reply);
const keyboard = telegramKeyboard(reply, NOW.getTime())!;
const bubble = (html: string) =>
  `<div class="bubble">${html.replace(/\n/g, "<br>").replace(/<blockquote expandable>/g, '<blockquote class="fold">')}</div>`;
const telegram = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: #0e1621; ${font} font-size: 15px; color: #f5f5f5; width: 390px; }
.chat { padding: 10px 8px; } .me { background: #2b5278; margin: 0 0 10px auto; width: fit-content; padding: 7px 10px; border-radius: 12px; }
.msg { background: #182533; border-radius: 12px; overflow: hidden; margin-bottom: 8px; max-width: 340px; }
.msg img { width: 100%; display: block; } .bubble { padding: 7px 10px; line-height: 1.35; }
blockquote.fold { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #6ab3f3; background: #1f3347; border-radius: 4px; max-height: 58px; overflow: hidden; position: relative; }
blockquote.fold::after { content: "⌄"; position: absolute; right: 6px; bottom: 2px; color: #6ab3f3; }
i { color: #aab4bf; } .keys { display: grid; grid-template-columns: 1fr 1fr; gap: 4px; max-width: 340px; }
.keys div { background: #22384f; text-align: center; padding: 8px; border-radius: 8px; font-size: 14px; }
</style><div class="chat"><div class="me">${esc(LINE)}</div>
<div class="msg"><img src="${img}">${bubble(post.caption)}</div>
${post.messages.map((m) => `<div class="msg">${bubble(m)}</div>`).join("")}
<div class="keys">${keyboard.inline_keyboard
  .flat()
  .map((b) => `<div>${esc(b.text)}</div>`)
  .join("")}</div></div>`;

// Discord: the lead embed with the chart, the details embed below, the buttons.
const message = renderDiscord(reply, { imageUrl: img, nowMs: NOW.getTime() });
const md = (t: string) =>
  esc(t)
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/\\([\\*_~`|[\]#>-])/g, "$1")
    .replace(/\n/g, "<br>");
const embed = (
  e: DiscordEmbed,
) => `<div class="embed" style="border-left-color: #${e.color.toString(16).padStart(6, "0")}">
${e.author ? `<div class="author">${esc(e.author.name)}</div>` : ""}${e.title ? `<div class="title">${md(e.title)}</div>` : ""}
${e.description ? `<div class="desc">${md(e.description)}</div>` : ""}
${(e.fields ?? []).map((f) => `<div class="field${f.inline ? " inline" : ""}"><b>${md(f.name)}</b><div>${md(f.value)}</div></div>`).join("")}
${e.image ? `<img src="${e.image.url}">` : ""}${e.footer ? `<div class="footer">${esc(e.footer.text)}</div>` : ""}</div>`;
const discord = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: #313338; ${font} font-size: 14px; color: #dbdee1; width: 560px; }
.wrap { padding: 14px; } .name { color: #fff; font-weight: 600; } .tag { background: #5865f2; color: #fff; font-size: 10px; padding: 1px 4px; border-radius: 3px; margin-left: 4px; }
.embed { background: #2b2d31; border-left: 4px solid #95a5a6; border-radius: 4px; padding: 10px 14px; margin-top: 6px; max-width: 500px; }
.author { font-size: 12px; color: #fff; margin-bottom: 4px; } .title { color: #fff; font-weight: 700; margin-bottom: 6px; }
.desc { line-height: 1.4; } .field { margin-top: 8px; } .field.inline { display: inline-block; width: 31%; vertical-align: top; margin-right: 2%; }
.embed img { width: 100%; border-radius: 4px; margin-top: 10px; } .footer { font-size: 11px; color: #b5bac1; margin-top: 8px; }
.buttons button { background: #4e5058; color: #fff; border: 0; border-radius: 3px; padding: 6px 14px; margin: 8px 6px 0 0; ${font} }
</style><div class="wrap"><div><span class="name">Decentra</span><span class="tag">APP</span></div>
${message.embeds.map(embed).join("")}
<div class="buttons">${(message.components ?? [])
  .flatMap((r) => r.components)
  .map((b) => `<button>${esc(b.label)}</button>`)
  .join("")}</div></div>`;

const dir = mkdtempSync(join(tmpdir(), "decentra-gallery-"));
for (const [name, html, width, height] of [
  ["telegram", telegram, 390, 960],
  ["discord", discord, 560, 1420],
] as const) {
  const page = join(dir, `${name}.html`);
  writeFileSync(page, html);
  execFileSync("chromium", [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--force-device-scale-factor=2",
    `--window-size=${width},${height}`,
    `--screenshot=${join(out, `${name}-answer.png`)}`,
    `file://${page}`,
  ]);
  console.log(`wrote docs/img/${name}-answer.png`);
}
