import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Fastify from "fastify";
import { buildApp } from "./app.ts";
import { ADMIN_COMMANDS, type AdminCommand, CliError, parseAdminArguments, runAdminCommand } from "./cli/admin-commands.ts";
import { type Config, ConfigError, loadConfig } from "./platform/config.ts";
import { createSecretBox, readOrCreateKeyFile } from "./platform/crypto.ts";
import { openDatabase, type RunningDatabase } from "./platform/database-runtime.ts";
import { healthRoutes } from "./platform/health.routes.ts";
import { createLogger, type Logger } from "./platform/logger.ts";
import { createMailer } from "./platform/mail/mailer.ts";
import { startWorker, type Worker } from "./platform/queue/worker.ts";
import { createRealtime } from "./platform/realtime.ts";
import type { AppServices } from "./platform/services.ts";
import { type DemoCredentials, seedDemo } from "./seed/demo-seed.ts";
import { allCronItems, allTasks } from "./tasks.ts";

const USAGE = `Usage: parley [command] [--role all|api|worker]

Commands:
  start                 start Parley (default)
  migrate               apply database migrations and exit
  seed                  create the demo workspace if missing and print its login
  admin:grant <email>   make a user a Parley operator (lists workspaces and users, suspends workspaces)
  admin:revoke <email>  take the operator flag away from a user

Roles (start only):
  all       HTTP API, realtime gateway and job worker in one process (default)
  api       HTTP API and realtime gateway only
  worker    job worker only (serves /healthz, /readyz and /metrics)`;

const ROLES = ["all", "api", "worker"] as const;
type Role = (typeof ROLES)[number];
const COMMANDS = ["start", "migrate", "seed", ...ADMIN_COMMANDS] as const;
type Command = (typeof COMMANDS)[number];

const parseCommandLine = (argv: string[]): { command: Command; role: Role; args: string[] } => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { role: { type: "string", default: "all" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const command = positionals[0] ?? "start";
  const role = values.role;
  if (!COMMANDS.some((known) => known === command)) throw new Error(`Unknown command "${command}".\n\n${USAGE}`);
  if (!ROLES.some((known) => known === role)) throw new Error(`Unknown role "${role}": use all, api or worker.\n\n${USAGE}`);
  return { command: command as Command, role: role as Role, args: positionals.slice(1) };
};

/** Loads `.env` from the working directory when present; real environment variables win. */
const loadDotEnv = () => {
  const file = path.resolve(".env");
  if (existsSync(file)) process.loadEnvFile(file);
};

const printBanner = (config: Config, role: Role, database: RunningDatabase, demo: DemoCredentials | undefined) => {
  const lines = [
    "",
    `Parley is running (role: ${role}, database: ${database.isEmbedded ? `embedded PostgreSQL, data in ${config.dataDir}` : "DATABASE_URL"})`,
  ];
  if (role !== "worker") {
    lines.push(
      `  Dashboard    ${config.publicUrl}/`,
      `  API docs     ${config.publicUrl}/api/docs`,
      `  Widget demo  ${config.publicUrl}/demo`,
    );
  }
  lines.push(`  Health       ${config.publicUrl}/readyz`);
  if (demo) lines.push(`  Demo login   ${demo.email} / ${demo.password}`);
  lines.push("Press Ctrl-C to stop.", "");
  console.log(lines.join("\n"));
};

/** ENCRYPTION_KEY, or on the embedded default a key generated once into the data folder. */
const resolveSecretBox = async (config: Config) =>
  createSecretBox(config.encryptionKey ?? (await readOrCreateKeyFile(config.dataDir)), config.previousEncryptionKeys);

/** Worker-only nodes still answer probes and metrics so orchestrators can watch them. */
const startProbeServer = async (services: AppServices) => {
  const app = Fastify({ loggerInstance: services.logger, forceCloseConnections: true });
  app.decorate("parley", services);
  await app.register(healthRoutes);
  return app;
};

const start = async (config: Config, logger: Logger, role: Role) => {
  // Without its database Parley cannot serve anything; exiting lets a supervisor restart both.
  const database = await openDatabase(config, logger, (code, signal) => {
    logger.fatal({ code, signal }, "embedded PostgreSQL stopped unexpectedly; Parley is exiting");
    process.exit(1);
  });
  let demo: DemoCredentials | undefined;
  if (config.seedDemo && role !== "worker") {
    const seeded = await seedDemo(database.handle.db, database.isEmbedded ? config.dataDir : undefined);
    demo = seeded.credentials;
  }

  let app: Awaited<ReturnType<typeof buildApp>> | Awaited<ReturnType<typeof startProbeServer>>;
  let worker: Worker | undefined;
  try {
    const secrets = await resolveSecretBox(config);
    let services: AppServices;
    if (role === "worker") {
      // No sockets connect here; with REDIS_URL, what jobs emit reaches the API nodes' sockets.
      const realtime = await createRealtime({
        httpServer: undefined,
        logger,
        redisUrl: config.redisUrl,
        publicUrl: config.publicUrl,
        corsOrigins: config.corsOrigins,
        authenticateAgent: async () => null,
        authenticateVisitor: async () => null,
      });
      services = {
        config,
        logger,
        db: database.handle.db,
        pool: database.handle.pool,
        realtime: realtime.publisher,
        mailer: createMailer(config),
        secrets,
      };
      app = await startProbeServer(services);
      app.addHook("onClose", realtime.close);
    } else {
      const apiApp = await buildApp({ config, logger, database: database.handle, secrets });
      services = apiApp.parley;
      app = apiApp;
    }
    worker =
      role === "api"
        ? undefined
        : await startWorker({
            connectionString: database.url,
            services,
            tasks: allTasks(),
            cron: allCronItems(),
            concurrency: config.workerConcurrency,
          });
  } catch (error) {
    await database.stop();
    throw error;
  }

  let shuttingDown = false;
  const shutDown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn("second signal: exiting now");
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, "shutting down: draining requests, sockets and jobs");
    const forceExit = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forceExit.unref();
    try {
      await app.close();
      await worker?.stop();
      await database.stop();
      logger.info("stopped cleanly");
      clearTimeout(forceExit);
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, "error while shutting down");
      process.exitCode = 1;
    }
  };
  process.on("SIGINT", () => void shutDown("SIGINT"));
  process.on("SIGTERM", () => void shutDown("SIGTERM"));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await shutDown("listen-failed");
    throw new Error(
      `Parley could not listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}. Set PORT to a free port.`,
    );
  }
  printBanner(config, role, database, demo);
};

/** Operator commands open the database like `migrate` does (applying migrations first), then change one user. */
const runAdminCommandOnce = async (config: Config, logger: Logger, command: AdminCommand, args: string[]) => {
  const { email } = parseAdminArguments(command, args);
  const database = await openDatabase(config, logger);
  try {
    console.log(await runAdminCommand(database.handle.db, command, email));
  } finally {
    await database.stop();
  }
};

const runOnce = async (config: Config, logger: Logger, command: "migrate" | "seed") => {
  const database = await openDatabase(config, logger);
  try {
    if (command === "migrate") {
      console.log("Migrations applied.");
      return;
    }
    const { credentials, isNew } = await seedDemo(database.handle.db, database.isEmbedded ? config.dataDir : undefined);
    if (isNew && credentials) console.log(`Demo workspace created. Login: ${credentials.email} / ${credentials.password}`);
    else if (credentials) console.log(`Demo workspace already exists. Login: ${credentials.email} / ${credentials.password}`);
    else console.log("Demo workspace already exists; its password was printed when it was created.");
  } finally {
    await database.stop();
  }
};

const main = async () => {
  let logger: Logger | undefined;
  try {
    const { command, role, args } = parseCommandLine(process.argv.slice(2));
    loadDotEnv();
    const config = loadConfig();
    logger = createLogger(config);
    if (command === "start") await start(config, logger, role);
    else if (command === "admin:grant" || command === "admin:revoke") await runAdminCommandOnce(config, logger, command, args);
    else await runOnce(config, logger, command);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) console.error(error.message);
    else if (logger) logger.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
    else console.error(error instanceof Error ? error.message : error);
    // Start-up failed: leave now rather than wait for every half-opened connection to time out.
    process.exit(1);
  }
};

await main();
