import { describe, expect, it } from "vitest";
import { rejectMalformedJsonBody } from "@/lib/http/api";

const post = (body: string, contentType = "application/json") =>
  new Request("http://localhost/api/auth/callback/credentials", { method: "POST", headers: { "content-type": contentType }, body });

describe("rejectMalformedJsonBody (guards next-auth's req.json())", () => {
  it.each(["[1,", "", "null", "[1]", '"text"', "42", "{"])("answers 400 to a JSON body that is not an object: %j", async (body) => {
    const res = await rejectMalformedJsonBody(post(body));
    expect(res?.status).toBe(400);
    expect(await res?.json()).toEqual({ error: { message: "The request body must be a JSON object." } });
  });

  it("lets objects, other content types and GETs through, and leaves the body readable", async () => {
    const req = post('{"email":"a@b.c"}');
    expect(await rejectMalformedJsonBody(req)).toBeNull();
    expect(await req.json()).toEqual({ email: "a@b.c" });
    expect(await rejectMalformedJsonBody(post("[1,", "application/x-www-form-urlencoded"))).toBeNull();
    expect(await rejectMalformedJsonBody(new Request("http://localhost/api/auth/session"))).toBeNull();
  });
});
