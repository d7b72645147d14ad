/** Turns a zod verdict on an upstream body into the value or an UpstreamError of kind "malformed". */
import type { z } from "zod";
import { UpstreamError } from "./http.ts";

/** Validates an upstream body; the error names the failing fields, never the values (which may be
 * huge or hostile). */
export function parseOrThrow<T>(url: string, schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  throw new UpstreamError("malformed", url, `unexpected shape (${fields})`);
}
