import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { pruneUnsentUploadsTask } from "../src/modules/messages/attachments-cleanup.ts";
import { attachments } from "../src/modules/messages/messages.tables.ts";
import { connectVisitor, createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, connectAgent, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

type AttachmentDto = {
  id: string;
  fileName: string;
  contentType: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  url: string;
  thumbnailUrl: string | null;
};
type MessageDto = { id: string; attachments: AttachmentDto[]; contentType: string };

const pngOf = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .png()
    .toBuffer();
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

describe("attachments: upload, storage and signed downloads", () => {
  let harness: TestApp;
  let baseUrl: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "parley-attachments-"));
    harness = await startTestApp({ env: { PARLEY_DATA_DIR: dataDir } });
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const upload = (url: string, authorization: string, file: { name: string; bytes: Buffer; type?: string }) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "application/octet-stream" }), file.name);
    return fetch(`${baseUrl}/api/v1${url}`, { method: "POST", headers: { authorization }, body: form });
  };
  const download = (signedUrl: string) => {
    const { pathname, search } = new URL(signedUrl);
    return fetch(`${baseUrl}${pathname}${search}`);
  };

  it("stores an agent's image with its size and a thumbnail, and serves both through signed links", async () => {
    const owner = await signUp(harness.app);
    const image = await pngOf(800, 600);
    const response = await upload("/attachments", `Bearer ${owner.token}`, {
      name: "photo.png",
      bytes: image,
      type: "image/jpeg",
    });
    expect(response.status).toBe(201);
    const dto = (await response.json()) as AttachmentDto;
    // The client's claimed type is ignored: the bytes say PNG.
    expect(dto).toMatchObject({
      fileName: "photo.png",
      contentType: "image/png",
      byteSize: image.length,
      width: 800,
      height: 600,
    });
    expect(dto.thumbnailUrl).not.toBeNull();

    const original = await download(dto.url);
    expect(original.status).toBe(200);
    expect(original.headers.get("content-type")).toBe("image/png");
    expect(original.headers.get("x-content-type-options")).toBe("nosniff");
    expect(original.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(Buffer.from(await original.arrayBuffer()).equals(image)).toBe(true);

    const thumbnail = await download(dto.thumbnailUrl ?? "");
    expect(thumbnail.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 320, height: 240 });

    const [row] = await harness.database.db.select().from(attachments);
    expect(row).toMatchObject({ uploadedByType: "agent", uploadedById: owner.user.id, messageId: null, scanStatus: "clean" });
  });

  it("serves documents as downloads and accepts text, CSV and Office files by content", async () => {
    const owner = await signUp(harness.app);
    const pdf = await upload("/attachments", `Bearer ${owner.token}`, { name: "invoice.pdf", bytes: PDF });
    expect(pdf.status).toBe(201);
    const pdfDto = (await pdf.json()) as AttachmentDto;
    expect(pdfDto).toMatchObject({ contentType: "application/pdf", width: null, thumbnailUrl: null });
    const file = await download(pdfDto.url);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf`);

    const csv = await upload("/attachments", `Bearer ${owner.token}`, {
      name: "orders.csv",
      bytes: Buffer.from("id,total\n1,9.99\n"),
    });
    expect(((await csv.json()) as AttachmentDto).contentType).toBe("text/csv");
    const text = await upload("/attachments", `Bearer ${owner.token}`, { name: "notes.txt", bytes: Buffer.from("héllo\n") });
    expect(((await text.json()) as AttachmentDto).contentType).toBe("text/plain");
  });

  it("refuses unknown, mismatched, empty and oversized files, and non-multipart bodies", async () => {
    const owner = await signUp(harness.app);
    const auth = `Bearer ${owner.token}`;
    const exe = await upload("/attachments", auth, {
      name: "setup.exe",
      bytes: Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 1)]),
    });
    expect(exe.status).toBe(415);
    expect(((await exe.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
    const disguised = await upload("/attachments", auth, { name: "cat.png", bytes: PDF });
    expect(disguised.status).toBe(415);
    const htmlAsText = await upload("/attachments", auth, { name: "page.html", bytes: Buffer.from("<script>alert(1)</script>") });
    expect(htmlAsText.status).toBe(415);
    const binary = await upload("/attachments", auth, { name: "data.txt", bytes: Buffer.from([0, 1, 2, 3, 0, 5]) });
    expect(binary.status).toBe(415);
    const empty = await upload("/attachments", auth, { name: "empty.txt", bytes: Buffer.alloc(0) });
    expect(empty.status).toBe(400);
    const huge = await upload("/attachments", auth, { name: "big.txt", bytes: Buffer.alloc(25 * 1024 * 1024 + 1, 97) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    const json = await harness.app.inject({
      method: "POST",
      url: "/api/v1/attachments",
      headers: bearer(owner.token),
      payload: {},
    });
    expect(json.statusCode).toBe(415);
    const anonymous = await upload("/attachments", "Bearer nope", { name: "a.pdf", bytes: PDF });
    expect(anonymous.status).toBe(401);
    expect(
      await harness.database.db
        .select()
        .from(attachments)
        .then((rows) => rows.filter((r) => r.uploadedById === owner.user.id)),
    ).toEqual([]);
  });

  it("refuses forged, expired and borrowed download tokens", async () => {
    const owner = await signUp(harness.app);
    const first = (await (
      await upload("/attachments", `Bearer ${owner.token}`, { name: "a.pdf", bytes: PDF })
    ).json()) as AttachmentDto;
    const second = (await (
      await upload("/attachments", `Bearer ${owner.token}`, { name: "b.pdf", bytes: PDF })
    ).json()) as AttachmentDto;
    const token = new URL(first.url).searchParams.get("token") ?? "";
    const forged = await fetch(
      `${baseUrl}/api/v1/attachments/${first.id}/download?token=${encodeURIComponent(`${token.slice(0, -4)}AAAA`)}`,
    );
    expect(forged.status).toBe(403);
    const borrowed = await fetch(`${baseUrl}/api/v1/attachments/${second.id}/download?token=${encodeURIComponent(token)}`);
    expect(borrowed.status).toBe(403);
    const expiredToken = harness.app.parley.secrets.sign("attachment", {
      id: first.id,
      variant: "original",
      exp: Math.floor(Date.now() / 1000) - 1,
    });
    const expired = await fetch(`${baseUrl}/api/v1/attachments/${first.id}/download?token=${encodeURIComponent(expiredToken)}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const missing = await fetch(`${baseUrl}/api/v1/attachments/${first.id}/download`);
    expect(missing.status).toBe(400);
  });

  it("sends images end to end: visitor → agent and agent → visitor, with downloadable links", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const agentSocket = await connectAgent(baseUrl, { token: owner.token });
    const visitor = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    try {
      const noToken = await upload("/widget/attachments", "Bearer x", { name: "a.png", bytes: await pngOf(10, 10) });
      expect(noToken.status).toBe(401);
      const visitorUpload = await upload("/widget/attachments", `Visitor ${visitor.session.visitorToken}`, {
        name: "screenshot.png",
        bytes: await pngOf(640, 640),
      });
      expect(visitorUpload.status).toBe(201);
      const visitorFile = (await visitorUpload.json()) as AttachmentDto;
      const [stored] = await harness.database.db.select().from(attachments).where(eq(attachments.id, visitorFile.id));
      expect(stored?.uploadedByType).toBe("contact");

      // The agent cannot send the visitor's upload as their own.
      const arrived = nextEvent<{ message: MessageDto }>(agentSocket, "message.created");
      const sent = await emitWithAck<{ ok: true; data: { conversationId: string; message: MessageDto } }>(
        visitor.socket,
        "message.send",
        { clientId: "v-img", text: "Here is the error", attachmentIds: [visitorFile.id] },
      );
      expect(sent.ok).toBe(true);
      const agentView = (await arrived).message;
      expect(agentView.attachments).toHaveLength(1);
      expect(agentView.attachments[0]).toMatchObject({ id: visitorFile.id, width: 640, height: 640 });
      expect((await download(agentView.attachments[0]?.url ?? "")).status).toBe(200);
      expect((await download(agentView.attachments[0]?.thumbnailUrl ?? "")).status).toBe(200);

      const agentFile = (await (
        await upload("/attachments", `Bearer ${owner.token}`, { name: "label.png", bytes: await pngOf(100, 50) })
      ).json()) as AttachmentDto;
      const stolen = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${sent.data.conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId: "steal", text: "", attachmentIds: [visitorFile.id] },
      });
      expect(stolen.statusCode).toBe(400);
      const toVisitor = nextEvent<{ message: MessageDto }>(visitor.socket, "message.created");
      const reply = await harness.app.inject({
        method: "POST",
        url: `/api/v1/conversations/${sent.data.conversationId}/messages`,
        headers: bearer(owner.token),
        payload: { clientId: "a-img", text: "Your label", attachmentIds: [agentFile.id] },
      });
      expect(reply.statusCode).toBe(201);
      const visitorView = (await toVisitor).message;
      expect(visitorView.contentType).toBe("file");
      expect(visitorView.attachments[0]).toMatchObject({ id: agentFile.id, width: 100, height: 50 });
      const fetched = await download(visitorView.attachments[0]?.thumbnailUrl ?? "");
      expect(fetched.status).toBe(200);
      expect((await sharp(Buffer.from(await fetched.arrayBuffer())).metadata()).width).toBe(100);

      // A blocked visitor can upload nothing more.
      await harness.database.db
        .update(contacts)
        .set({ blockedAt: new Date() })
        .where(eq(contacts.id, stored?.uploadedById ?? ""));
      const blocked = await upload("/widget/attachments", `Visitor ${visitor.session.visitorToken}`, {
        name: "more.png",
        bytes: await pngOf(10, 10),
      });
      expect(blocked.status).toBe(403);

      // Another workspace's member cannot attach this workspace's uploads.
      const stranger = await signUp(harness.app);
      const strangerInbox = await createWebsiteInbox(harness, { workspaceId: stranger.workspace.id });
      const strangerVisitor = await connectVisitor(harness, baseUrl, strangerInbox.websiteToken ?? "");
      const other = await emitWithAck<{ ok: false; error: { code: string } }>(strangerVisitor.socket, "message.send", {
        clientId: "x",
        text: "hi",
        attachmentIds: [agentFile.id],
      });
      expect(other).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      strangerVisitor.socket.close();
    } finally {
      agentSocket.close();
      visitor.socket.close();
    }
  });
});

describe("uploads never sent", () => {
  it("are removed with their files after a day by the daily job; sent ones stay", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "parley-unsent-"));
    const harness = await startTestApp({ env: { PARLEY_DATA_DIR: dataDir } });
    const baseUrl = await harness.listen();
    try {
      const owner = await signUp(harness.app);
      const uploadPng = async (name: string) => {
        const form = new FormData();
        form.append("file", new Blob([new Uint8Array(await pngOf(40, 40))], { type: "image/png" }), name);
        const response = await fetch(`${baseUrl}/api/v1/attachments`, {
          method: "POST",
          headers: { authorization: `Bearer ${owner.token}` },
          body: form,
        });
        expect(response.status).toBe(201);
        return (await response.json()) as AttachmentDto;
      };
      const forgotten = await uploadPng("forgotten.png");
      const fresh = await uploadPng("fresh.png");
      await harness.database.pool.query("update attachments set created_at = now() - interval '2 days' where id = $1", [
        forgotten.id,
      ]);
      const [row] = await harness.database.db.select().from(attachments).where(eq(attachments.id, forgotten.id));
      expect(row).toBeDefined();

      await pruneUnsentUploadsTask.run(
        {},
        { ...harness.app.parley, attempt: 1, maxAttempts: 3, abortSignal: new AbortController().signal },
      );

      expect(await harness.database.db.select().from(attachments).where(eq(attachments.id, forgotten.id))).toEqual([]);
      expect(await harness.database.db.select().from(attachments).where(eq(attachments.id, fresh.id))).toHaveLength(1);
      await expect(access(path.join(dataDir, "uploads", row?.storageKey ?? "missing"))).rejects.toThrow();
      expect((await fetch(forgotten.url.replace("http://parley.test", baseUrl))).status).toBe(404);
    } finally {
      await harness.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
