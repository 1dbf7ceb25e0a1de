import type pg from "pg";
import type { Config } from "./config.ts";
import type { SecretBox } from "./crypto.ts";
import type { Database } from "./db.ts";
import type { Logger } from "./logger.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { RealtimePublisher } from "./realtime.ts";

/** Infrastructure the route plugins hand to services. */
export type AppServices = {
  config: Config;
  logger: Logger;
  db: Database;
  pool: pg.Pool;
  realtime: RealtimePublisher;
  mailer: Mailer;
  secrets: SecretBox;
};

declare module "fastify" {
  interface FastifyInstance {
    parley: AppServices;
  }
}
