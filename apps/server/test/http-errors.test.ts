import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./helpers.ts";

describe("error answers", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp({ env: { BODY_LIMIT_BYTES: "4096" } });
    // A route that fails the way a bug would, to see what a client is told.
    harness.app.get("/api/v1/test-only/crash", { config: { access: "public" } }, async () => {
      throw new Error("connection string postgres://secret@db leaked");
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  const login = (payload: string, contentType = "application/json") =>
    harness.app.inject({ method: "POST", url: "/api/v1/auth/login", payload, headers: { "content-type": contentType } });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const response = await login('{"email": "a@b.c", ');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: "invalid_json", message: "The request body is not valid JSON." } });
  });

  it("answers an empty JSON body with 400", async () => {
    const response = await login("");
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_json");
  });

  it("answers a body over the limit with 413", async () => {
    const response = await login(JSON.stringify({ email: "a@b.co", password: "x".repeat(10_000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe("payload_too_large");
  });

  it("answers an unsupported content type with 415", async () => {
    const response = await login("email=a", "application/x-www-form-urlencoded");
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe("unsupported_media_type");
  });

  it("answers wrong types and unknown fields with 400 and field paths", async () => {
    const response = await login(JSON.stringify({ email: 42, password: ["x"], isAdmin: true }));
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe("validation_failed");
    expect(error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(["body", "body.email", "body.password"]);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await harness.app.inject({ method: "DELETE", url: "/api/v1/no-such-thing?x=1" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: "route_not_found", message: "No route DELETE /api/v1/no-such-thing. See /api/docs for the API." },
    });
  });

  it("hides the details of unexpected failures and gives the request id", async () => {
    const response = await harness.app.inject({
      method: "GET",
      url: "/api/v1/test-only/crash",
      headers: { "x-request-id": "req-123" },
    });
    expect(response.statusCode).toBe(500);
    expect(response.headers["x-request-id"]).toBe("req-123");
    expect(response.body).not.toContain("secret");
    expect(response.json().error).toEqual({
      code: "internal_error",
      message: "Something went wrong on our side. Quote request id req-123 if it keeps happening.",
    });
  });

  it("replaces a request id that could inject into logs", async () => {
    const response = await harness.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "a b\nc" } });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
