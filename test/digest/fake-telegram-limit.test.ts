/** The fake Telegram's optional 30 messages/s per token: the 31st send inside a second is refused
 * with 429 and retry_after, and the window slides. */
import { expect, it } from "vitest";
import { startFakeTelegram } from "../support/fake-telegram.ts";

it("accepts 30 sends in a second, refuses the rest with 429 + retry_after, then accepts again", async () => {
  const tg = await startFakeTelegram({ rateLimit: { perSecond: 30, retryAfterSeconds: 2 } });
  const send = (i: number) =>
    fetch(`${tg.apiRoot}/bot${tg.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 1000 + i, text: `m${i}` }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { parameters?: unknown } }));
  try {
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
    expect(first.filter((r) => r.status === 200)).toHaveLength(30);
    const refused = first.filter((r) => r.status === 429);
    expect(refused).toHaveLength(10);
    expect(refused[0]!.body.parameters).toEqual({ retry_after: 2 });
    expect(tg.tooManyRequests).toBe(10);
    // Chat actions do not count.
    const typing = await fetch(`${tg.apiRoot}/bot${tg.token}/sendChatAction`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 1, action: "typing" }),
    });
    expect(typing.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await send(99)).status).toBe(200);
    expect(tg.sent).toHaveLength(31);
  } finally {
    await tg.close();
  }
});

it("is off by default", async () => {
  const tg = await startFakeTelegram();
  try {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${tg.apiRoot}/bot${tg.token}/sendMessage`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ chat_id: i + 1, text: "x" }),
        }).then((r) => r.status),
      ),
    );
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(tg.tooManyRequests).toBe(0);
  } finally {
    await tg.close();
  }
});
