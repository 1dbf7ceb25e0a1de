import { ZErrorResponse } from "@parley/shared";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[] };
type Operation = {
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};
type Endpoint = { method: string; path: string; operation: Operation };

const HOSTILE_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  "",
  " ",
  "x".repeat(20_000),
  "\u0000",
  "💥".repeat(100),
  "' OR 1=1 --",
  "../../../etc/passwd",
  [],
  ["a", 1],
  {},
  { $gt: "" },
  { __proto__: { isAdmin: true } },
];

const HOSTILE_PATH_VALUES = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "..%2f..%2f", "x".repeat(300), "1e9"];

const HOSTILE_BODIES: Array<{ payload: string; contentType: string }> = [
  { payload: "{", contentType: "application/json" },
  { payload: "null", contentType: "application/json" },
  { payload: "[]", contentType: "application/json" },
  { payload: '"string"', contentType: "application/json" },
  { payload: "12", contentType: "application/json" },
  { payload: '{"a":'.repeat(5_000), contentType: "application/json" },
  { payload: JSON.stringify({ unknownField: true }), contentType: "application/json" },
  { payload: "x".repeat(2_000_000), contentType: "application/json" },
  { payload: "<xml/>", contentType: "application/xml" },
  { payload: "a=b", contentType: "application/x-www-form-urlencoded" },
];

const listEndpoints = (document: { paths: Record<string, Record<string, Operation>> }): Endpoint[] =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );

const fillPath = (path: string, value: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(value));

/** A body that satisfies the schema's required fields with plausible values, to mutate one field at a time. */
const plausibleBody = (schema: JsonSchema | undefined): Record<string, unknown> => {
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    body[name] =
      type === "number" || type === "integer"
        ? 1
        : type === "boolean"
          ? true
          : type === "array"
            ? []
            : `valid-${name}@example.com`;
  }
  return body;
};

describe("every API operation survives malformed input", () => {
  let harness: TestApp;
  let token: string;
  let endpoints: Endpoint[];
  beforeAll(async () => {
    harness = await startTestApp({ env: { BODY_LIMIT_BYTES: "1048576" } });
    token = (await signUp(harness.app)).token;
    endpoints = listEndpoints((await harness.app.inject({ url: "/api/openapi.json" })).json());
  });
  afterAll(async () => {
    await harness.close();
  });

  const send = async (request: InjectOptions, label: string) => {
    const response = await harness.app.inject(request);
    expect(response.statusCode, `${label} → ${response.statusCode} ${response.body.slice(0, 300)}`).toBeLessThan(500);
    if (response.statusCode >= 400) {
      const parsed = ZErrorResponse.safeParse(response.json());
      expect(parsed.success, `${label}: error body has the standard shape`).toBe(true);
    }
    return response;
  };

  it("finds the API in the OpenAPI document", () => {
    expect(endpoints.length).toBeGreaterThanOrEqual(6);
    expect(endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toContain("POST /api/v1/auth/signup");
  });

  it("answers hostile bodies, field values, path and query parameters with 4xx, signed in or not", async () => {
    let requests = 0;
    const probe = async (endpoint: Endpoint) => {
      for (const headers of [{}, bearer(token)]) {
        const url = fillPath(endpoint.path, "00000000-0000-4000-8000-000000000000");
        for (const pathValue of HOSTILE_PATH_VALUES) {
          await send(
            { method: endpoint.method as InjectOptions["method"], url: fillPath(endpoint.path, pathValue), headers },
            `${endpoint.method} ${endpoint.path} path=${pathValue.slice(0, 20)}`,
          );
          requests++;
        }
        for (const query of [
          "?limit=-1",
          "?limit=abc",
          "?limit=1e99",
          "?cursor=%00",
          `?cursor=${"x".repeat(5000)}`,
          "?a[b]=c&a=1",
        ]) {
          await send(
            { method: endpoint.method as InjectOptions["method"], url: `${url}${query}`, headers },
            `${endpoint.method} ${endpoint.path}${query.slice(0, 30)}`,
          );
          requests++;
        }
        if (endpoint.method === "GET" || endpoint.method === "DELETE") continue;
        for (const body of HOSTILE_BODIES) {
          await send(
            {
              method: endpoint.method as InjectOptions["method"],
              url,
              headers: { ...headers, "content-type": body.contentType },
              payload: body.payload,
            },
            `${endpoint.method} ${endpoint.path} body ${body.payload.slice(0, 20)}`,
          );
          requests++;
        }
        const schema = endpoint.operation.requestBody?.content?.["application/json"]?.schema;
        const base = plausibleBody(schema);
        for (const field of Object.keys(base)) {
          for (const value of HOSTILE_VALUES) {
            await send(
              {
                method: endpoint.method as InjectOptions["method"],
                url,
                headers: { ...headers, "content-type": "application/json" },
                payload: JSON.stringify({ ...base, [field]: value }),
              },
              `${endpoint.method} ${endpoint.path} ${field}=${JSON.stringify(value)?.slice(0, 30)}`,
            );
            requests++;
          }
        }
      }
    };
    // A few endpoints at a time: thousands of requests, each endpoint's own in order.
    const queue = [...endpoints];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let endpoint = queue.shift(); endpoint; endpoint = queue.shift()) await probe(endpoint);
      }),
    );
    expect(requests).toBeGreaterThan(200);
  }, 180_000);
});

describe("access rules", () => {
  it("refuses to start with an API route that declares no access rule", async () => {
    const harness = await startTestApp();
    try {
      expect(() => harness.app.get("/api/v1/undeclared", async () => ({ ok: true }))).toThrow(/declares no valid access rule/);
    } finally {
      await harness.close();
    }
  });

  it("declares access on every API route", async () => {
    const harness = await startTestApp();
    try {
      const document = (await harness.app.inject({ url: "/api/openapi.json" })).json();
      const signedOutAnswers = await Promise.all(
        listEndpoints(document).map(async (endpoint) => ({
          route: `${endpoint.method} ${endpoint.path}`,
          status: (
            await harness.app.inject({
              method: endpoint.method as InjectOptions["method"],
              url: fillPath(endpoint.path, "00000000-0000-4000-8000-000000000000"),
            })
          ).statusCode,
        })),
      );
      const openRoutes = signedOutAnswers
        .filter((answer) => answer.status !== 401)
        .map((answer) => answer.route)
        .sort();
      // Only these may be reached without a session; anything else answering a stranger is a leak.
      expect(openRoutes).toEqual([
        "GET /api/v1/attachments/{id}/download",
        "GET /api/v1/auth/sso/oidc/callback",
        "GET /api/v1/auth/sso/saml/{connectionId}/metadata",
        "GET /api/v1/auth/sso/{connectionId}/start",
        "GET /api/v1/avatars/{userId}/{file}",
        "GET /api/v1/channels/instagram-login/oauth/callback",
        "GET /api/v1/channels/{platform}/oauth/callback",
        "GET /api/v1/contact-avatars/{contactId}/{file}",
        "GET /api/v1/invitations/lookup",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/login-code/request",
        "POST /api/v1/auth/login-code/verify",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/request",
        "POST /api/v1/auth/signup",
        "POST /api/v1/auth/sso/discover",
        "POST /api/v1/auth/sso/saml/{connectionId}/acs",
        "POST /api/v1/auth/two-factor/verify",
        "POST /api/v1/auth/verify-email",
        "POST /api/v1/invitations/accept",
        "POST /api/v1/widget/sessions",
      ]);
    } finally {
      await harness.close();
    }
  });
});
