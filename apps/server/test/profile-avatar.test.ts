import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { createWebsiteInbox } from "./conversation-helpers.ts";
import { bearer, joinWorkspace, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { startWidgetSession } from "./widget-helpers.ts";

type UserDto = { id: string; avatarUrl: string | null };

const pngOf = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer();

const errorCodeOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe("profile pictures: upload, public serving, replacement and removal", () => {
  let harness: TestApp;
  let baseUrl: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "parley-avatars-"));
    harness = await startTestApp({ env: { PARLEY_DATA_DIR: dataDir } });
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    // About one run in three, a keep-alive socket of this test's fetch client (idle, its last answer
    // fully read) is not closed by app.close() and stalls it; closing sockets first keeps teardown reliable.
    harness.app.server.closeAllConnections();
    await harness.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const putAvatar = (token: string, file: { name: string; bytes: Buffer; type?: string }) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "image/png" }), file.name);
    return fetch(`${baseUrl}/api/v1/me/avatar`, { method: "PUT", headers: bearer(token), body: form });
  };
  /** Reads the whole answer, so no half-read response keeps a connection busy when the app closes. */
  const statusOf = async (url: string) => {
    const response = await fetch(`${baseUrl}${url}`);
    await response.arrayBuffer();
    return response.status;
  };
  const fileOf = (avatarUrl: string) => path.join(dataDir, "uploads", avatarUrl.replace(/^\/api\/v1\//, ""));

  it("stores a square 256 px WebP, serves it publicly with a long cache, and shows it on /me and in the member list", async () => {
    const owner = await signUp(harness.app);
    const response = await putAvatar(owner.token, { name: "me.png", bytes: await pngOf(800, 500) });
    expect(response.status).toBe(200);
    const user = (await response.json()) as UserDto;
    expect(user.id).toBe(owner.user.id);
    expect(user.avatarUrl).toMatch(new RegExp(`^/api/v1/avatars/${owner.user.id}/[0-9a-f]{32}\\.webp$`));
    const avatarUrl = user.avatarUrl ?? "";

    // No session needed: website visitors see it too.
    const picture = await fetch(`${baseUrl}${avatarUrl}`);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/webp");
    expect(picture.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(picture.headers.get("x-content-type-options")).toBe("nosniff");
    const metadata = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
    expect(metadata).toMatchObject({ format: "webp", width: 256, height: 256 });

    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(owner.token) });
    expect(me.json().user.avatarUrl).toBe(avatarUrl);
    const members = await harness.app.inject({ method: "GET", url: "/api/v1/members", headers: bearer(owner.token) });
    expect(members.statusCode).toBe(200);
    expect(members.json().items).toEqual([expect.objectContaining({ user: expect.objectContaining({ avatarUrl }) })]);
    // The presence list is where the inbox finds assignees' pictures.
    const presence = await harness.app.inject({ method: "GET", url: "/api/v1/presence", headers: bearer(owner.token) });
    expect(presence.json().items).toEqual([expect.objectContaining({ userId: owner.user.id, avatarUrl })]);

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.action, "user.avatar_updated")));
    expect(entry).toMatchObject({ targetId: owner.user.id, after: { hasAvatar: true } });
  });

  it("keeps small pictures small, and still square", async () => {
    const owner = await signUp(harness.app);
    const answer = await putAvatar(owner.token, { name: "tiny.png", bytes: await pngOf(90, 60) });
    const text = await answer.text();
    expect(`${answer.status} ${text}`).toMatch(/^200 /);
    const user = JSON.parse(text) as UserDto;
    const picture = await fetch(`${baseUrl}${user.avatarUrl}`);
    const metadata = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
    expect(metadata).toMatchObject({ width: 60, height: 60 });
  });

  it("replaces a picture with a new URL (the old one 404s and its file is gone) and removes it", async () => {
    const owner = await signUp(harness.app);
    const first = (await (await putAvatar(owner.token, { name: "a.png", bytes: await pngOf(300, 300) })).json()) as UserDto;
    const second = (await (await putAvatar(owner.token, { name: "b.png", bytes: await pngOf(400, 400) })).json()) as UserDto;
    expect(second.avatarUrl).not.toBe(first.avatarUrl);
    expect(await statusOf(`${first.avatarUrl}`)).toBe(404);
    expect(await exists(fileOf(first.avatarUrl ?? ""))).toBe(false);
    expect(await statusOf(`${second.avatarUrl}`)).toBe(200);

    const removed = await harness.app.inject({ method: "DELETE", url: "/api/v1/me/avatar", headers: bearer(owner.token) });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().avatarUrl).toBeNull();
    const gone = await fetch(`${baseUrl}${second.avatarUrl}`);
    expect(gone.status).toBe(404);
    expect(await errorCodeOf(gone)).toBe("not_found");
    expect(await exists(fileOf(second.avatarUrl ?? ""))).toBe(false);
    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(owner.token) });
    expect(me.json().user.avatarUrl).toBeNull();
    const actions = await harness.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, owner.workspace.id), eq(auditLog.targetId, owner.user.id)));
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(["user.avatar_updated", "user.avatar_removed"]));
  });

  it("refuses files that are not images, too big, or missing, and unknown or malformed picture URLs", async () => {
    const owner = await signUp(harness.app);
    const disguised = await putAvatar(owner.token, { name: "me.png", bytes: Buffer.from("just some text, not a picture\n") });
    expect(disguised.status).toBe(415);
    expect(await errorCodeOf(disguised)).toBe("unsupported_media_type");

    const pdf = await putAvatar(owner.token, {
      name: "cv.pdf",
      bytes: Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
      type: "application/pdf",
    });
    expect(pdf.status).toBe(415);

    // Injected rather than sent over a socket: the server answers 413 before reading the rest, and a
    // half-sent body would keep the test's connection busy.
    const huge = Buffer.concat([await pngOf(10, 10), Buffer.alloc(5 * 1024 * 1024 + 10)]);
    const oversized = new FormData();
    oversized.append("file", new Blob([new Uint8Array(huge)], { type: "image/png" }), "big.png");
    const encoded = new Request(baseUrl, { method: "PUT", body: oversized });
    const tooBig = await harness.app.inject({
      method: "PUT",
      url: "/api/v1/me/avatar",
      headers: { ...bearer(owner.token), "content-type": encoded.headers.get("content-type") ?? "" },
      payload: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe("payload_too_large");

    const noFile = new FormData();
    noFile.append("note", "no file here");
    const missing = await fetch(`${baseUrl}/api/v1/me/avatar`, { method: "PUT", headers: bearer(owner.token), body: noFile });
    expect(missing.status).toBe(400);
    expect(await errorCodeOf(missing)).toBe("bad_request");

    const anonymous = await harness.app.inject({ method: "PUT", url: "/api/v1/me/avatar", headers: bearer("not-a-token") });
    expect(anonymous.statusCode).toBe(401);

    const me = await harness.app.inject({ method: "GET", url: "/api/v1/me", headers: bearer(owner.token) });
    expect(me.json().user.avatarUrl).toBeNull();

    expect(await statusOf(`/api/v1/avatars/${owner.user.id}/0123456789abcdef0123456789abcdef.webp`)).toBe(404);
    expect(await statusOf(`/api/v1/avatars/${owner.user.id}/..%2F..%2Fsecret.webp`)).toBe(400);
    expect(await statusOf("/api/v1/avatars/not-a-user/0123456789abcdef0123456789abcdef.webp")).toBe(400);
  });

  it("shows the picture to website visitors among the team avatars and on agent greetings", async () => {
    const owner = await signUp(harness.app, { name: "Olivia Owner" });
    const colleague = await signUp(harness.app, { name: "Carl Colleague" });
    const colleagueToken = await joinWorkspace(harness, {
      userId: colleague.user.id,
      workspaceId: owner.workspace.id,
      roleKey: "agent",
    });
    const inbox = await createWebsiteInbox(harness, {
      workspaceId: owner.workspace.id,
      memberUserIds: [owner.user.id, colleague.user.id],
    });
    const user = (await (await putAvatar(owner.token, { name: "me.png", bytes: await pngOf(200, 200) })).json()) as UserDto;
    for (const token of [owner.token, colleagueToken]) {
      const presence = await harness.app.inject({
        method: "PUT",
        url: "/api/v1/me/presence",
        headers: bearer(token),
        payload: { status: "online" },
      });
      expect(presence.statusCode).toBe(200);
    }
    const trigger = await harness.app.inject({
      method: "POST",
      url: "/api/v1/proactive-triggers",
      headers: bearer(owner.token),
      payload: {
        name: "Hello",
        inboxId: inbox.id,
        actions: [{ type: "greeting", text: "Need a hand?", senderType: "agent", agentId: owner.user.id }],
      },
    });
    expect(trigger.statusCode).toBe(201);

    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.availability.agents).toEqual([
      { name: "Carl Colleague", avatarUrl: null },
      { name: "Olivia Owner", avatarUrl: user.avatarUrl },
    ]);
    expect(session.triggers[0].actions[0].sender).toEqual({ name: "Olivia Owner", avatarUrl: user.avatarUrl });
    // The frame loads it from Parley's origin without a session.
    expect(await statusOf(`${user.avatarUrl}`)).toBe(200);
  });
});
