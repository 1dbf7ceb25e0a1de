import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStorage, createS3Storage, storageFor } from "./storage.ts";

describe("file storage", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "parley-storage-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("keeps files on local disk under the data directory's uploads folder", async () => {
    const storage = storageFor({ dataDir: root, storage: { driver: "local" } });
    await storage.put("ws/att/original", Buffer.from("hello"), "text/plain");
    expect(await readFile(path.join(root, "uploads", "ws", "att", "original"), "utf8")).toBe("hello");
    const file = await storage.get("ws/att/original");
    expect(file?.byteSize).toBe(5);
    expect(await text(file?.body ?? Readable.from([]))).toBe("hello");
    await storage.delete("ws/att/original");
    expect(await storage.get("ws/att/original")).toBeNull();
  });

  it("refuses keys that could leave its root", async () => {
    const storage = createLocalStorage(root);
    for (const key of ["../escape", "a/../../b", "/etc/passwd", "a//b", "", ".hidden", "a\\b"]) {
      await expect(storage.put(key, Buffer.from("x"), "text/plain")).rejects.toThrow(/unsafe storage key|leaves the root/);
    }
  });

  it("talks to an S3-compatible bucket through the SDK with the configured bucket and prefix", async () => {
    const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
    const objects = new Map<string, Buffer>();
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        const key = String(command.input.Key);
        if (command instanceof PutObjectCommand) objects.set(key, command.input.Body as Buffer);
        if (command instanceof GetObjectCommand) {
          const body = objects.get(key);
          if (!body) throw new NoSuchKey({ message: "missing", $metadata: {} });
          return { Body: Readable.from([body]), ContentLength: body.length };
        }
        return {};
      },
    } as unknown as S3Client;
    const storage = createS3Storage(
      { bucket: "uploads", region: "auto", accessKeyId: "k", secretAccessKey: "s", prefix: "parley/" },
      client,
    );
    await storage.put("ws/a/original", Buffer.from("pdf"), "application/pdf");
    expect(sent[0]).toMatchObject({
      name: "PutObjectCommand",
      input: { Bucket: "uploads", Key: "parley/ws/a/original", ContentType: "application/pdf" },
    });
    const file = await storage.get("ws/a/original");
    expect(await text(file?.body ?? Readable.from([]))).toBe("pdf");
    expect(await storage.get("ws/missing")).toBeNull();
    await expect(storage.put("../x", Buffer.from(""), "text/plain")).rejects.toThrow(/unsafe/);
  });
});
