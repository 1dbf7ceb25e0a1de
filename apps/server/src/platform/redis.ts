import { Redis } from "ioredis";
import type { Logger } from "./logger.ts";

/** A connected ioredis client; connection errors are logged and retried, never fatal to the process. */
export const connectRedis = async (url: string, logger: Logger, purpose: string): Promise<Redis> => {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectionName: `parley-${purpose}` });
  client.on("error", (error: unknown) => logger.warn({ err: error, purpose }, "redis connection error"));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Parley could not reach Redis at REDIS_URL for ${purpose}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return client;
};
