import { describe, expect, it } from "vitest";
import { BODY_LIMITS, readBody } from "@/lib/http/body";

const CAP = 1_024;

/** A body served chunk by chunk on demand; `pulled()` says how many bytes the reader asked for. */
function streamed(chunks: Uint8Array[]) {
  let served = 0;
  let i = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[i++];
        if (!chunk) return controller.close();
        served += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when the reader asks, like a paused socket
  return { body, pulled: () => served };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/x", { method: "POST", body, headers, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) });

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { message: string; code?: string } }).error;
}

describe("readBody (capped request body)", () => {
  it("the caps are decided in one place: 16 KB for the JSON API, 64 KB for webhooks", () => {
    expect(BODY_LIMITS).toEqual({ json: 16 * 1024, webhook: 64 * 1024 });
  });

  it("reads a body of exactly the cap", async () => {
    const read = await readBody(post(bytes(CAP)), CAP);
    expect(read).toEqual({ text: "a".repeat(CAP) });
  });

  it("answers 413 to one byte over the cap", async () => {
    const read = await readBody(post(bytes(CAP + 1)), CAP);
    expect("response" in read && read.response.status).toBe(413);
    if (!("response" in read)) return;
    expect(await errorOf(read.response)).toEqual({ message: "The request body is too large (at most 1 KB).", code: "BODY_TOO_LARGE" });
  });

  it("reads a chunked body (no Content-Length) chunk by chunk, UTF-8 split across chunks included", async () => {
    const euro = new TextEncoder().encode("€"); // 3 bytes, split over two chunks
    const { body } = streamed([bytes(100), euro.slice(0, 1), euro.slice(1), bytes(10, 0x62)]);
    expect(await readBody(post(body), CAP)).toEqual({ text: `${"a".repeat(100)}€${"b".repeat(10)}` });
  });

  it("stops reading a chunked body at the cap: the rest is never pulled", async () => {
    const { body, pulled } = streamed(Array.from({ length: 1_000 }, () => bytes(512)));
    const read = await readBody(post(body), CAP);
    expect("response" in read && read.response.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(CAP + 2 * 512);
  });

  it("does not trust a Content-Length that is smaller than the body", async () => {
    const { body, pulled } = streamed(Array.from({ length: 100 }, () => bytes(512)));
    const read = await readBody(post(body, { "content-length": "10" }), CAP);
    expect("response" in read && read.response.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(CAP + 2 * 512);
  });

  it("refuses at once when Content-Length already exceeds the cap: nothing is read", async () => {
    const { body, pulled } = streamed([bytes(10)]);
    const read = await readBody(post(body, { "content-length": String(CAP + 1) }), CAP);
    expect("response" in read && read.response.status).toBe(413);
    expect(pulled()).toBe(0);
  });

  it("an empty or absent body reads as empty text", async () => {
    expect(await readBody(post(null), CAP)).toEqual({ text: "" });
    expect(await readBody(post(""), CAP)).toEqual({ text: "" });
  });

  it("a body whose stream fails (client went away) is answered 400, not thrown", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes(10));
        controller.error(new Error("aborted"));
      },
    });
    const read = await readBody(post(body), CAP);
    expect("response" in read && read.response.status).toBe(400);
  });
});
