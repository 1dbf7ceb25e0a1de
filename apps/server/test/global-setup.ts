import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { connectDatabase } from "../src/platform/db.ts";
import { startEmbeddedPostgres } from "../src/platform/embedded-postgres.ts";
import { createLogger } from "../src/platform/logger.ts";
import { migrateDatabase } from "../src/platform/migrate.ts";
import { findFreePort } from "./free-port.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
    testRunId: string;
  }
}

const silentLogger = createLogger({ logLevel: "silent", logFormat: "json" });

const withDatabase = (url: string, name: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

/**
 * One PostgreSQL for the whole run (TEST_DATABASE_URL's server, or an embedded throwaway one),
 * and one migrated template database that every test file clones in milliseconds.
 */
export default async function setup(project: TestProject) {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(tmpdir(), "parley-test-pg-"));
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await findFreePort(),
      logger: silentLogger,
      isThrowaway: true,
    });
    serverUrl = embedded.url;
    stopEmbedded = async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }

  const templateDatabase = `parley_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${templateDatabase}"`);
  const templateUrl = withDatabase(serverUrl, templateDatabase);
  const template = connectDatabase(templateUrl, { poolSize: 2, logger: silentLogger });
  await migrateDatabase(template.db, templateUrl, silentLogger);
  await template.close();

  project.provide("databaseServerUrl", serverUrl);
  project.provide("templateDatabase", templateDatabase);
  project.provide("testRunId", runId);

  return async () => {
    const databases = await admin.query<{ datname: string }>("select datname from pg_database where datname like $1", [
      `parley_%${runId}%`,
    ]);
    for (const { datname } of databases.rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
    await admin.end();
    await stopEmbedded?.();
  };
}
