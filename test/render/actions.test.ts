import { describe, expect, it } from "vitest";
import { encodeMultipart } from "../../src/adapters/discord/multipart.ts";
import { ACTION_TTL_MS, actionLine, decodeAction, encodeAction } from "../../src/render/actions.ts";

const t0 = Date.parse("2026-11-24T12:00:00Z");

describe("button payloads", () => {
  it("carry the command line and the issue minute, and decode back", () => {
    const action = {
      label: "With a machine",
      command: "mining_cost",
      args: { region: "paraguay", machine: "S21 XP" },
    };
    expect(actionLine(action)).toBe('/mining_cost region=paraguay machine="S21 XP"');
    // 2026-11-24T12:00Z = 1,795,521,600,000 ms = 29,925,360 whole minutes since 1970.
    const payload = encodeAction(action, t0, 64)!;
    expect(payload).toBe(`r${(29_925_360).toString(36)}|/mining_cost region=paraguay machine="S21 XP"`);
    expect(decodeAction(payload, t0 + 60_000)).toEqual({ kind: "run", line: actionLine(action) });
  });

  it("expire a day after they were issued", () => {
    const payload = encodeAction({ label: "Sources", command: "sources", args: {} }, t0, 64)!;
    expect(decodeAction(payload, t0 + ACTION_TTL_MS - 60_000).kind).toBe("run");
    expect(decodeAction(payload, t0 + ACTION_TTL_MS + 60_001)).toEqual({ kind: "expired" });
  });

  it("are left out rather than cut when the line does not fit the platform's limit", () => {
    const long = { label: "x", command: "edge_fit", args: { model: "a".repeat(60) } };
    // "r" + 5 base-36 digits + "|" + "/edge_fit model=" (16) + 60 = 83 bytes: over Telegram's 64, within Discord's 100.
    expect(encodeAction(long, t0, 64)).toBeUndefined();
    expect(encodeAction(long, t0, 100)).toBeDefined();
  });

  it("refuse anything that is not one of ours", () => {
    for (const data of ["", "hello", "r1|rm -rf", "rzz|mining_cost"])
      expect(decodeAction(data, t0).kind).toBe("unknown");
  });
});

describe("multipart encoding of discord.js uploads", () => {
  it("writes fields and files as RFC 7578 parts that a standard parser reads back", async () => {
    const form = new FormData();
    form.append("payload_json", JSON.stringify({ embeds: [{ title: "t" }] }));
    form.append(
      "files[0]",
      new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: "image/png" }),
      "chart.png",
    );
    const { body, contentType } = await encodeMultipart(form as never, "decentra-test-boundary");
    expect(contentType).toBe("multipart/form-data; boundary=decentra-test-boundary");
    const parsed = await new Response(new Uint8Array(body), {
      headers: { "content-type": contentType },
    }).formData();
    expect(JSON.parse(String(parsed.get("payload_json")))).toEqual({ embeds: [{ title: "t" }] });
    const file = parsed.get("files[0]") as File;
    expect(file.name).toBe("chart.png");
    expect(file.type).toBe("image/png");
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
