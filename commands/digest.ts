import { z } from "zod";
import {
  choiceArg,
  DIGEST_SECTIONS,
  type DigestSection,
  defineCommand,
  UserError,
} from "../src/core/index.ts";

const ACTIONS = ["status", "subscribe", "unsubscribe", "preview"] as const;
const options = {
  action: {
    name: "action",
    description: "subscribe, unsubscribe, status or preview (default status)",
    type: "string",
    choices: ACTIONS,
    example: "subscribe",
  },
  schedule: {
    name: "schedule",
    description: 'Cron: 5 fields, or 6 with seconds (default "0 8 * * *", 08:00 daily)',
    type: "string",
    example: "0 8 * * 1",
  },
  tz: { name: "tz", description: "IANA time zone (default UTC)", type: "string", example: "Europe/Berlin" },
  sections: {
    name: "sections",
    description: `Comma-separated: ${DIGEST_SECTIONS.join(", ")} (default all)`,
    type: "string",
    example: "network,concentration",
  },
} as const;

export default defineCommand({
  name: "digest",
  description: "Scheduled digest posts for this channel or chat: subscribe, unsubscribe, status, preview",
  options: Object.values(options),
  args: z.object({
    action: choiceArg(options.action, ACTIONS).default("status"),
    schedule: z.string().trim().min(1).max(120).default("0 8 * * *"),
    tz: z.string().trim().min(1).max(64).default("UTC"),
    sections: z.string().trim().max(200).optional(),
  }),
  examples: [
    '/digest subscribe "0 8 * * *" Europe/Berlin',
    "/digest status",
    "/digest preview sections=network,edge_ai",
  ],
  usesUpstream: true,
  async run(args, { deps, invocation }) {
    const digest = deps.digest;
    const platform = invocation.platform;
    if (!digest || (platform !== "discord" && platform !== "telegram")) {
      if (args.action === "preview" && digest) return digest.preview(parseSections(args.sections));
      throw new UserError(
        "unavailable",
        "Digests are posted to Discord channels and Telegram chats; they are not enabled here.",
      );
    }
    if ((args.action === "subscribe" || args.action === "unsubscribe") && !invocation.canManage) {
      throw new UserError(
        "forbidden",
        invocation.manageRequirement ?? "You may not change this chat's digest.",
      );
    }
    const sections = parseSections(args.sections);
    if (args.action === "preview") return digest.preview(sections);
    if (args.action === "unsubscribe") {
      const removed = await digest.unsubscribe(platform, invocation.chatId);
      return note(
        "Digest",
        removed ? "Unsubscribed: this chat gets no more digests." : "This chat had no digest subscription.",
        { unsubscribed: removed },
      );
    }
    if (args.action === "subscribe") {
      const result = await digest.subscribe({
        platform,
        chatId: invocation.chatId,
        schedule: args.schedule,
        tz: args.tz,
        sections,
        ...(invocation.userId ? { userId: invocation.userId } : {}),
      });
      const verb = result.created ? "Subscribed" : "Updated the subscription";
      return note(
        "Digest",
        `${verb}: "${args.schedule}" (${args.tz}), sections ${sections.join(", ")}. Next posts: ${result.nextRuns.map(when).join(", ")}.`,
        { created: result.created, nextRuns: result.nextRuns, sections },
      );
    }
    const status = await digest.status(platform, invocation.chatId);
    const sub = status.subscription;
    if (!sub)
      return note("Digest", "No digest here yet. An admin can start one with /digest subscribe.", {
        subscribed: false,
      });
    const state = sub.enabled
      ? `next posts ${status.nextRuns.map(when).join(", ")}`
      : `paused: ${sub.disabledReason ?? "delivery failed"} (subscribe again to resume)`;
    return note(
      "Digest",
      `Schedule "${sub.schedule}" (${sub.tz}), sections ${sub.sections.join(", ")}; ${state}.${status.lastDeliveredAt ? ` Last posted ${when(status.lastDeliveredAt)}.` : ""}`,
      { subscribed: true, ...sub, nextRuns: status.nextRuns },
    );
  },
});

function parseSections(text: string | undefined): DigestSection[] {
  if (!text || text.toLowerCase() === "all") return [...DIGEST_SECTIONS];
  const wanted = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const unknown = wanted.filter((s) => !DIGEST_SECTIONS.includes(s as DigestSection));
  if (unknown.length) {
    throw new UserError(
      "invalid_value",
      `Unknown section "${unknown[0]}". Allowed: ${DIGEST_SECTIONS.join(", ")} (comma-separated).`,
      { option: "sections", allowed: DIGEST_SECTIONS.join(", ") },
    );
  }
  return DIGEST_SECTIONS.filter((s) => wanted.includes(s));
}

function note(title: string, summary: string, data: Record<string, unknown>) {
  return { title, summary, sources: [], data };
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
