import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoWebsiteToken, seedDemo } from "../src/seed/demo-seed.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

describe("probes, metrics and API documents", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("reports liveness and readiness", async () => {
    expect((await harness.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await harness.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", database: "reachable" });
  });

  it("is not ready while a committed migration is missing from the database", async () => {
    const client = new pg.Client({ connectionString: harness.databaseUrl });
    await client.connect();
    try {
      const removed = await client.query(
        "delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations) returning *",
      );
      const notReady = await harness.app.inject({ url: "/readyz" });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().status).toBe("migrations_pending");
      const row = removed.rows[0];
      await client.query("insert into drizzle.__drizzle_migrations (id, hash, created_at) values ($1, $2, $3)", [
        row.id,
        row.hash,
        row.created_at,
      ]);
      expect((await harness.app.inject({ url: "/readyz" })).statusCode).toBe(200);
    } finally {
      await client.end();
    }
  });

  it("exposes Prometheus metrics including request timings", async () => {
    await harness.app.inject({ url: "/api/v1/me" });
    const metrics = await harness.app.inject({ url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toContain('parley_http_request_duration_seconds_count{method="GET",route="/api/v1/me",status="401"}');
    expect(metrics.body).toContain("parley_process_resident_memory_bytes");
  });

  it("publishes an OpenAPI document generated from the route schemas, and its viewer", async () => {
    const document = (await harness.app.inject({ url: "/api/openapi.json" })).json();
    expect(document.openapi).toBe("3.1.0");
    const signup = document.paths["/api/v1/auth/signup"].post;
    expect(signup.requestBody.content["application/json"].schema.required).toEqual(
      expect.arrayContaining(["name", "email", "password", "workspaceName"]),
    );
    expect(Object.keys(signup.responses)).toEqual(expect.arrayContaining(["201", "400", "409"]));
    expect(document.paths["/healthz"]).toBeUndefined();
    const docs = await harness.app.inject({ url: "/api/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
  });

  it("sets security headers", async () => {
    const response = await harness.app.inject({ url: "/healthz" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
  });
});

describe("dashboard and widget files", () => {
  let harness: TestApp;
  let unbuilt: TestApp;
  beforeAll(async () => {
    const dashboardDir = await mkdtemp(path.join(tmpdir(), "parley-dashboard-"));
    await writeFile(path.join(dashboardDir, "index.html"), "<!doctype html><title>Parley dashboard</title>");
    await writeFile(path.join(dashboardDir, "app.js"), "console.log('dashboard');");
    const widgetDir = await mkdtemp(path.join(tmpdir(), "parley-widget-"));
    await writeFile(path.join(widgetDir, "loader.js"), "/* parley loader */");
    await writeFile(path.join(widgetDir, "frame.html"), "<!doctype html><title>Parley frame</title>");
    harness = await startTestApp({ dashboardDir, widgetDir });
    const emptyDir = await mkdtemp(path.join(tmpdir(), "parley-empty-"));
    unbuilt = await startTestApp({ dashboardDir: emptyDir, widgetDir: emptyDir });
  });
  afterAll(async () => {
    await harness.close();
    await unbuilt.close();
  });

  it("serves the built dashboard at / and its index for client-side routes", async () => {
    const root = await harness.app.inject({ url: "/" });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("Parley dashboard");
    expect((await harness.app.inject({ url: "/app.js" })).body).toContain("dashboard");
    const deepLink = await harness.app.inject({ url: "/settings/workspace", headers: { accept: "text/html" } });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.body).toContain("Parley dashboard");
    const apiMiss = await harness.app.inject({ url: "/api/v1/unknown", headers: { accept: "text/html" } });
    expect(apiMiss.statusCode).toBe(404);
    expect(apiMiss.json().error.code).toBe("route_not_found");
  });

  it("serves the widget loader embeddable from any site, its frame, and the demo host page", async () => {
    const loader = await harness.app.inject({ url: "/widget.js" });
    expect(loader.statusCode).toBe(200);
    expect(loader.headers["content-type"]).toContain("javascript");
    expect(loader.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    const frame = await harness.app.inject({ url: "/widget/frame.html" });
    expect(frame.statusCode).toBe(200);
    expect(frame.headers["x-frame-options"]).toBeUndefined();
    expect(frame.headers["content-security-policy"]).toContain("frame-ancestors *");
    const demo = await harness.app.inject({ url: "/demo" });
    expect(demo.statusCode).toBe(200);
    // Without the demo workspace there is no inbox to embed, and the page says what to do.
    expect(demo.body).toContain("no website inbox");
    expect(demo.body).toContain("Settings → Inboxes");
    expect(demo.body).not.toContain("data-inbox");
    // The demo seed creates a website inbox, and /demo embeds its real token.
    await seedDemo(harness.database.db, undefined);
    const token = await demoWebsiteToken(harness.database.db);
    expect(token).toMatch(/^wt_/);
    const seeded = await harness.app.inject({ url: "/demo" });
    expect(seeded.body).toContain(`<script async src="/widget.js" data-inbox="${token}"></script>`);
    // The snippet it shows is the one a site pastes: the public URL and this inbox's real token.
    expect(seeded.body).toContain(`&lt;script async src="http://parley.test/widget.js" data-inbox="${token}"&gt;`);
    expect(seeded.body).toContain('<link rel="icon" type="image/svg+xml" href="/favicon.svg">');
    const session = await harness.app.inject({ method: "POST", url: "/api/v1/widget/sessions", payload: { inboxToken: token } });
    expect(session.statusCode).toBe(200);
  });

  it("says how to build when the dashboard or widget is missing", async () => {
    const root = await unbuilt.app.inject({ url: "/" });
    expect(root.statusCode).toBe(503);
    expect(root.body).toContain("npm run build");
    const loader = await unbuilt.app.inject({ url: "/widget.js" });
    expect(loader.statusCode).toBe(503);
    expect(loader.body).toContain("not built");
  });
});
