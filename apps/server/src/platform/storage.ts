import { createReadStream } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "./config.ts";

/**
 * Where uploaded files live. Keys are chosen by the server (`<workspace>/<attachment>/<variant>`),
 * never by clients; drivers still refuse anything that could leave their root.
 */
export type FileStorage = {
  readonly driver: "local" | "s3";
  put: (key: string, bytes: Buffer, contentType: string) => Promise<void>;
  /** The file as a stream with its size, or null when no file has this key. */
  get: (key: string) => Promise<{ body: Readable; byteSize: number } | null>;
  delete: (key: string) => Promise<void>;
};

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/;

export const assertSafeKey = (key: string): void => {
  if (!SAFE_KEY.test(key) || key.split("/").some((part) => part === ".." || part === ".")) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
};

const isMissing = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";

/** Files on local disk under `rootDir` (by default `<PARLEY_DATA_DIR>/uploads`). */
export const createLocalStorage = (rootDir: string): FileStorage => {
  const root = path.resolve(rootDir);
  const pathOf = (key: string) => {
    assertSafeKey(key);
    const full = path.resolve(root, key);
    if (!full.startsWith(`${root}${path.sep}`)) throw new Error(`storage key leaves the root: ${key}`);
    return full;
  };
  return {
    driver: "local",
    put: async (key, bytes) => {
      const full = pathOf(key);
      await mkdir(path.dirname(full), { recursive: true });
      // Write beside and rename would be atomic; keys are never rewritten, so a plain write is enough.
      await writeFile(full, bytes, { mode: 0o640 });
    },
    get: async (key) => {
      const full = pathOf(key);
      try {
        const info = await stat(full);
        return { body: createReadStream(full), byteSize: info.size };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    delete: async (key) => {
      await rm(pathOf(key), { force: true });
    },
  };
};

export type S3StorageOptions = {
  bucket: string;
  region: string;
  /** For S3-compatible services (MinIO, R2, Spaces); path-style addressing is used with it. */
  endpoint?: string | undefined;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prepended to every key, e.g. "parley/". */
  prefix?: string | undefined;
};

let s3Module: Promise<typeof import("@aws-sdk/client-s3")> | undefined;
/** The AWS SDK weighs tens of megabytes: only deployments that store files in a bucket load it, on first use. */
const loadS3 = () => {
  s3Module ??= import("@aws-sdk/client-s3");
  return s3Module;
};

/** Files in an S3-compatible bucket. Options are explicit: configuration is read in config.ts only. */
export const createS3Storage = (options: S3StorageOptions, client?: S3Client): FileStorage => {
  let s3: Promise<S3Client> | undefined;
  const clientOf = () => {
    s3 ??= client
      ? Promise.resolve(client)
      : loadS3().then(
          (sdk) =>
            new sdk.S3Client({
              region: options.region,
              ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
              credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
            }),
        );
    return s3;
  };
  const objectKey = (key: string) => {
    assertSafeKey(key);
    return `${options.prefix ?? ""}${key}`;
  };
  return {
    driver: "s3",
    put: async (key, bytes, contentType) => {
      const [sdk, bucket] = await Promise.all([loadS3(), clientOf()]);
      await bucket.send(
        new sdk.PutObjectCommand({ Bucket: options.bucket, Key: objectKey(key), Body: bytes, ContentType: contentType }),
      );
    },
    get: async (key) => {
      const [sdk, bucket] = await Promise.all([loadS3(), clientOf()]);
      try {
        const object = await bucket.send(new sdk.GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
        if (!object.Body) return null;
        const body =
          object.Body instanceof Readable ? object.Body : Readable.fromWeb(object.Body.transformToWebStream() as never);
        return { body, byteSize: object.ContentLength ?? 0 };
      } catch (error) {
        if (error instanceof sdk.NoSuchKey) return null;
        throw error;
      }
    },
    delete: async (key) => {
      const [sdk, bucket] = await Promise.all([loadS3(), clientOf()]);
      await bucket.send(new sdk.DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
    },
  };
};

const stores = new Map<string, FileStorage>();

/** The storage this deployment uses: an S3-compatible bucket when configured, else the data folder. */
export const storageFor = (config: Pick<Config, "dataDir" | "storage">): FileStorage => {
  const { storage } = config;
  const key =
    storage.driver === "s3" ? `s3:${storage.endpoint ?? ""}:${storage.bucket}:${storage.prefix}` : `local:${config.dataDir}`;
  let store = stores.get(key);
  if (!store) {
    store = storage.driver === "s3" ? createS3Storage(storage) : createLocalStorage(path.join(config.dataDir, "uploads"));
    stores.set(key, store);
  }
  return store;
};
