import path from "node:path";
import { z } from "zod";

const ZBooleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "use true or false" })
  .transform((value) => ["true", "1", "yes"].includes(value));

const ZPostgresUrl = z
  .url({ message: "must be a URL such as postgres://user:pass@host:5432/db" })
  .refine((value) => /^postgres(ql)?:\/\//.test(value), { message: "must start with postgres:// or postgresql://" });

const ZRedisUrl = z
  .url({ message: "must be a URL such as redis://127.0.0.1:6379" })
  .refine((value) => /^rediss?:\/\//.test(value), { message: "must start with redis:// or rediss://" });

/** 32 random bytes, base64 (44 characters) — `openssl rand -base64 32`. */
const ZEncryptionKey = z.string().refine((value) => Buffer.from(value, "base64").length === 32, {
  message: "must be 32 random bytes in base64 (openssl rand -base64 32)",
});

const ZPort = z.coerce.number({ message: "must be a number" }).int().min(0).max(65535);

/** Every environment variable Parley reads. `.env.example` documents each one. */
const ZEnvironment = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: ZPort.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: z.url({ message: "must be a URL such as https://chat.example.com" }).optional(),
  DATABASE_URL: ZPostgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number({ message: "must be a number" }).int().min(1).max(500).default(20),
  PARLEY_DATA_DIR: z.string().min(1).default("./data"),
  EMBEDDED_PG_PORT: ZPort.refine((port) => port !== 5432, {
    message: "5432 belongs to a system PostgreSQL; pick another port",
  }).default(54329),
  PARLEY_SEED_DEMO: ZBooleanFlag.optional(),
  REDIS_URL: ZRedisUrl.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ message: "must be a comma-separated list of origins such as https://app.example.com" }))),
  TRUST_PROXY: ZBooleanFlag.default(false),
  BODY_LIMIT_BYTES: z.coerce.number({ message: "must be a number" }).int().min(1024).default(1_048_576),
  SESSION_TTL_DAYS: z.coerce.number({ message: "must be a number" }).int().min(1).max(365).default(30),
  WORKER_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(200).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ message: "must be a number" }).int().min(100).default(10_000),
  ENCRYPTION_KEY: ZEncryptionKey.optional(),
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .pipe(z.array(ZEncryptionKey)),
  SMTP_URL: z
    .url({ message: "must be a URL such as smtps://user:password@smtp.example.com:465" })
    .refine((value) => /^smtps?:\/\//.test(value), { message: "must start with smtp:// or smtps://" })
    .optional(),
  MAIL_FROM: z.string().min(3).default("Parley <no-reply@parley.local>"),
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: ZBooleanFlag.default(false),
  MAX_UPLOAD_BYTES: z.coerce
    .number({ message: "must be a number" })
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ENDPOINT: z.url({ message: "must be a URL such as https://s3.example.com" }).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().default(""),
  META_APP_ID: z.string().min(1).optional(),
  META_APP_SECRET: z.string().min(1).optional(),
  META_VERIFY_TOKEN: z.string().min(8, { message: "use at least 8 characters" }).optional(),
  META_GRAPH_URL: z.url().default("https://graph.facebook.com"),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, { message: "must look like v23.0" })
    .default("v23.0"),
  INSTAGRAM_GRAPH_URL: z.url().default("https://graph.instagram.com"),
  INSTAGRAM_APP_ID: z.string().min(1).optional(),
  INSTAGRAM_APP_SECRET: z.string().min(1).optional(),
  INSTAGRAM_LOGIN_URL: z.url().default("https://www.instagram.com"),
  INSTAGRAM_API_URL: z.url().default("https://api.instagram.com"),
  TELEGRAM_API_URL: z.url().default("https://api.telegram.org"),
  TWILIO_API_URL: z.url().default("https://api.twilio.com"),
});

export type Config = {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  embeddedPostgresPort: number;
  seedDemo: boolean;
  redisUrl: string | undefined;
  logLevel: string;
  logFormat: "json" | "pretty";
  corsOrigins: string[];
  trustProxy: boolean;
  bodyLimitBytes: number;
  sessionTtlDays: number;
  workerConcurrency: number;
  shutdownTimeoutMs: number;
  /** Unset on the embedded default: a key is generated into the data folder on first start. */
  encryptionKey: string | undefined;
  previousEncryptionKeys: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Lets webhooks target loopback and private networks (self-hosted setups calling their own services). */
  webhooksAllowPrivateTargets: boolean;
  maxUploadBytes: number;
  /**
   * Messaging platforms. Base URLs are configurable so tests (and proxies) can stand in for the
   * platforms; the Meta app is the one Messenger, Instagram and WhatsApp webhooks are signed with.
   */
  channels: {
    metaAppId: string | undefined;
    metaAppSecret: string | undefined;
    metaVerifyToken: string | undefined;
    metaGraphUrl: string;
    metaGraphVersion: string;
    instagramGraphUrl: string;
    /** Instagram API with Instagram Login: the Instagram app's own id and secret (not the Meta app's). */
    instagramAppId: string | undefined;
    instagramAppSecret: string | undefined;
    /** Where the Instagram authorization window lives, and where codes are exchanged for tokens. */
    instagramLoginUrl: string;
    instagramApiUrl: string;
    telegramApiUrl: string;
    twilioApiUrl: string;
  };
  /** Uploaded files: under the data folder, or in an S3-compatible bucket when S3_BUCKET is set. */
  storage:
    | { driver: "local" }
    | {
        driver: "s3";
        bucket: string;
        region: string;
        endpoint: string | undefined;
        accessKeyId: string;
        secretAccessKey: string;
        prefix: string;
      };
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Parley cannot start: fix these environment variables:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Parses the environment once; reports every bad variable together. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const emptyAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = ZEnvironment.safeParse(emptyAsUnset);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      return `${name}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])] ?? null)})`;
    });
    throw new ConfigError(problems);
  }
  const values = parsed.data;
  if (values.S3_BUCKET !== undefined && (values.S3_ACCESS_KEY_ID === undefined || values.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(["S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required with S3_BUCKET"]);
  }
  if (values.DATABASE_URL !== undefined && values.ENCRYPTION_KEY === undefined) {
    throw new ConfigError([
      "ENCRYPTION_KEY: required with DATABASE_URL, to encrypt secrets at rest (generate one with: openssl rand -base64 32)",
    ]);
  }
  const publicHost = values.HOST === "0.0.0.0" || values.HOST === "::" ? "localhost" : values.HOST;
  return {
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    publicUrl: (values.PUBLIC_URL ?? `http://${publicHost}:${values.PORT}`).replace(/\/+$/, ""),
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    dataDir: path.resolve(values.PARLEY_DATA_DIR),
    embeddedPostgresPort: values.EMBEDDED_PG_PORT,
    seedDemo: values.PARLEY_SEED_DEMO ?? values.DATABASE_URL === undefined,
    redisUrl: values.REDIS_URL,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT ?? (process.stdout.isTTY && values.NODE_ENV !== "production" ? "pretty" : "json"),
    corsOrigins: values.CORS_ORIGINS,
    trustProxy: values.TRUST_PROXY,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    sessionTtlDays: values.SESSION_TTL_DAYS,
    workerConcurrency: values.WORKER_CONCURRENCY,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    encryptionKey: values.ENCRYPTION_KEY,
    previousEncryptionKeys: values.ENCRYPTION_KEYS_PREVIOUS,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    webhooksAllowPrivateTargets: values.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    maxUploadBytes: values.MAX_UPLOAD_BYTES,
    channels: {
      metaAppId: values.META_APP_ID,
      metaAppSecret: values.META_APP_SECRET,
      metaVerifyToken: values.META_VERIFY_TOKEN,
      metaGraphUrl: values.META_GRAPH_URL.replace(/\/+$/, ""),
      metaGraphVersion: values.META_GRAPH_VERSION,
      instagramGraphUrl: values.INSTAGRAM_GRAPH_URL.replace(/\/+$/, ""),
      instagramAppId: values.INSTAGRAM_APP_ID,
      instagramAppSecret: values.INSTAGRAM_APP_SECRET,
      instagramLoginUrl: values.INSTAGRAM_LOGIN_URL.replace(/\/+$/, ""),
      instagramApiUrl: values.INSTAGRAM_API_URL.replace(/\/+$/, ""),
      telegramApiUrl: values.TELEGRAM_API_URL.replace(/\/+$/, ""),
      twilioApiUrl: values.TWILIO_API_URL.replace(/\/+$/, ""),
    },
    storage:
      values.S3_BUCKET && values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY
        ? {
            driver: "s3",
            bucket: values.S3_BUCKET,
            region: values.S3_REGION,
            endpoint: values.S3_ENDPOINT,
            accessKeyId: values.S3_ACCESS_KEY_ID,
            secretAccessKey: values.S3_SECRET_ACCESS_KEY,
            prefix: values.S3_PREFIX,
          }
        : { driver: "local" },
  };
};
