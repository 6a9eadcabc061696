import { describe, expect, it } from "vitest";
import { rejectMalformedJsonBody } from "@/lib/http/api";

const post = (body: string, contentType = "application/json") =>
  new Request("http://localhost/api/auth/callback/credentials", { method: "POST", headers: { "content-type": contentType }, body });

describe("rejectMalformedJsonBody (guards next-auth's req.json())", () => {
  it.each(["[1,", "", "null", "[1]", '"text"', "42", "{"])("answers 400 to a JSON body that is not an object: %j", async (body) => {
    const res = rejectMalformedJsonBody(post(body), body);
    expect(res?.status).toBe(400);
    expect(await res?.json()).toEqual({ error: { message: "The request body must be a JSON object." } });
  });

  it("lets objects, other content types and GETs through", async () => {
    expect(rejectMalformedJsonBody(post('{"email":"a@b.c"}'), '{"email":"a@b.c"}')).toBeNull();
    expect(rejectMalformedJsonBody(post("[1,", "application/x-www-form-urlencoded"), "[1,")).toBeNull();
    expect(rejectMalformedJsonBody(new Request("http://localhost/api/auth/session"), "")).toBeNull();
  });
});
