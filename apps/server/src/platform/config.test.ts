import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("starts on the embedded default with nothing set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      publicUrl: "http://localhost:3000",
      databaseUrl: undefined,
      dataDir: path.resolve("./data"),
      embeddedPostgresPort: 54329,
      seedDemo: true,
      redisUrl: undefined,
      corsOrigins: [],
    });
  });

  it("uses DATABASE_URL, does not seed by default, and trims PUBLIC_URL's trailing slash", () => {
    const key = Buffer.alloc(32, 1).toString("base64");
    const config = loadConfig({
      DATABASE_URL: "postgres://u:p@db:5432/parley",
      ENCRYPTION_KEY: key,
      PUBLIC_URL: "https://chat.example.com/",
      PORT: "8080",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://u:p@db:5432/parley",
      seedDemo: false,
      publicUrl: "https://chat.example.com",
      port: 8080,
    });
    expect(loadConfig({ DATABASE_URL: "postgres://db/parley", ENCRYPTION_KEY: key, PARLEY_SEED_DEMO: "true" }).seedDemo).toBe(
      true,
    );
  });

  it("requires an encryption key with an external database, and checks its size", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/parley" })).toThrow(/ENCRYPTION_KEY: required with DATABASE_URL/);
    expect(() => loadConfig({ ENCRYPTION_KEY: "c2hvcnQ=" })).toThrow(/ENCRYPTION_KEY: must be 32 random bytes/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", REDIS_URL: "" })).toMatchObject({ port: 3000, redisUrl: undefined });
  });

  it("parses the CORS allowlist", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, https://b.example" }).corsOrigins).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
  });

  it("reports every bad variable at once, with its value", () => {
    const attempt = () =>
      loadConfig({
        PORT: "http",
        EMBEDDED_PG_PORT: "5432",
        REDIS_URL: "localhost:6379",
        CORS_ORIGINS: "not a url",
        TRUST_PROXY: "maybe",
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const names = error.problems.map((problem) => problem.split(":")[0]);
      expect(names).toEqual(expect.arrayContaining(["PORT", "EMBEDDED_PG_PORT", "REDIS_URL", "CORS_ORIGINS.0", "TRUST_PROXY"]));
      expect(error.message).toContain('(got "http")');
    }
  });
});
