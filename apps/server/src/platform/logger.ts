import type { FastifyBaseLogger } from "fastify";
import { pino } from "pino";
import type { Config } from "./config.ts";

/** Pino, typed as Fastify sees it so the same instance serves the app, services and jobs. */
export type Logger = FastifyBaseLogger;

export const createLogger = (config: Pick<Config, "logLevel" | "logFormat">): Logger =>
  pino({
    level: config.logLevel,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "password", "*.password", "token", "*.token"],
      censor: "[redacted]",
    },
    ...(config.logFormat === "pretty"
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname" } } }
      : {}),
  });
