/** discord.js uploads files as a FormData built by its own copy of undici (6.x), but the process's
 * global dispatcher is the project's undici (8.x, loaded by the data layer), which refuses a
 * FormData from another undici instance ("body must be a FormData created by this undici package
 * instance"): every answer with an attachment would fail. This turns such a body into plain bytes
 * (RFC 7578 multipart/form-data) before the request is made, so any dispatcher can send it. */
import { DefaultRestOptions } from "discord.js";

type MakeRequest = typeof DefaultRestOptions.makeRequest;
type Init = Parameters<MakeRequest>[1];

/** A FormData of any origin: what the encoder needs of it. */
interface FormDataLike {
  entries(): IterableIterator<[string, unknown]>;
  [Symbol.toStringTag]?: string;
}

function isFormData(body: unknown): body is FormDataLike {
  return (
    typeof body === "object" &&
    body !== null &&
    Object.prototype.toString.call(body) === "[object FormData]" &&
    typeof (body as FormDataLike).entries === "function"
  );
}

/** A file part as FormData holds it (a Blob or File of any undici). */
interface BlobLike {
  name?: string;
  type?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const quote = (text: string) => text.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));

export async function encodeMultipart(
  form: FormDataLike,
  boundary: string,
): Promise<{ body: Buffer; contentType: string }> {
  const parts: Buffer[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
        ),
      );
      continue;
    }
    const blob = value as BlobLike;
    const filename = blob.name ? `; filename="${quote(blob.name)}"` : "";
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"${filename}\r\n` +
          `Content-Type: ${blob.type || "application/octet-stream"}\r\n\r\n`,
      ),
      Buffer.from(await blob.arrayBuffer()),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** discord.js's own request function, with a FormData body sent as bytes. */
export function createMakeRequest(boundary: () => string): MakeRequest {
  return async (url, init: Init) => {
    if (!isFormData(init.body)) return DefaultRestOptions.makeRequest(url, init);
    const { body, contentType } = await encodeMultipart(init.body, boundary());
    const headers = { ...(init.headers as Record<string, string>), "content-type": contentType };
    return DefaultRestOptions.makeRequest(url, { ...init, body, headers });
  };
}
