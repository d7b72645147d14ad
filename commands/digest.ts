import {
  argsSchema,
  choiceOption,
  DIGEST_SECTIONS,
  type DigestSection,
  defineCommand,
  optionSpecs,
  textOption,
  UserError,
} from "../src/core/index.ts";

const ACTIONS = ["status", "subscribe", "unsubscribe", "preview"] as const;
const options = {
  action: choiceOption("action", ACTIONS, {
    description: "subscribe, unsubscribe, status or preview",
    default: "status",
    example: "subscribe",
  }),
  schedule: textOption("schedule", {
    description: 'Cron: 5 fields, or 6 with seconds ("0 8 * * *" is 08:00 daily)',
    maxLength: 120,
    default: "0 8 * * *",
    example: "0 8 * * 1",
  }),
  tz: textOption("tz", {
    description: "IANA time zone",
    maxLength: 64,
    default: "UTC",
    example: "Europe/Berlin",
  }),
  sections: textOption("sections", {
    description: `Comma-separated: ${DIGEST_SECTIONS.join(", ")} (default all)`,
    maxLength: 200,
    allowEmpty: true,
    example: "network,concentration",
  }),
};

export default defineCommand({
  name: "digest",
  description: "Scheduled digest posts for this channel or chat: subscribe, unsubscribe, status, preview",
  options: optionSpecs(options),
  args: argsSchema(options),
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
