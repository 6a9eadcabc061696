import type { AppErrorCode } from "@/lib/errors";

/**
 * The most any route reads of a request body, in bytes. The one place that
 * decides: every route that reads a body reads it through `readBody` with
 * one of these (parseJsonBody: `json`; the webhook routes: `webhook`;
 * next-auth's routes: `json`).
 *
 * - `json`: the app's own JSON API and next-auth's forms. Its largest
 *   legitimate body (a Plaid Link metadata event) is a few KB.
 * - `webhook`: Stripe events and Plaid webhooks, a few KB each; a Stripe
 *   event carries its whole object, so it gets more room.
 *
 * A route that ever needs more (an upload) gets its own entry here.
 */
export const BODY_LIMITS = {
  json: 16 * 1024,
  webhook: 64 * 1024,
} as const;

export type BodyRead = { text: string } | { response: Response };

const TOO_LARGE: AppErrorCode = "BODY_TOO_LARGE";

/** The shape of jsonError (lib/http/api.ts, which reads bodies through this module). */
const refuse = (status: number, message: string, code?: AppErrorCode) =>
  Response.json({ error: { message, ...(code ? { code } : {}) } }, { status });

/**
 * Reads a request body as UTF-8 text, at most `limit` bytes. A declared
 * Content-Length over the limit is refused before anything is read; the
 * body itself is then read chunk by chunk and refused (413, the stream
 * cancelled) as soon as it passes the limit, whatever Content-Length said
 * (chunked bodies have none, and a client may lie). So a hostile body costs
 * at most `limit` bytes of memory, never its whole size.
 */
export async function readBody(req: Request, limit: number): Promise<BodyRead> {
  const tooLarge = () => ({ response: refuse(413, `The request body is too large (at most ${kilobytes(limit)}).`, TOO_LARGE) });
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limit) return tooLarge();
  if (!req.body) return { text: "" };

  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return tooLarge();
      }
      chunks.push(value);
    }
  } catch {
    return { response: refuse(400, "The request body could not be read.") };
  } finally {
    reader.releaseLock();
  }
  const joined = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  // As Request.text() decodes: UTF-8, invalid bytes replaced, a leading BOM dropped.
  return { text: new TextDecoder().decode(joined) };
}

function kilobytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}
