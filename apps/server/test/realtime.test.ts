import { AGENT_NAMESPACE } from "@parley/shared";
import { io as connectSocket, Manager } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectVisitor, createWebsiteInbox } from "./conversation-helpers.ts";
import { bearer, connectAgent, nextEvent, signUp, startTestApp, type TestApp } from "./helpers.ts";

describe("the /agent realtime namespace", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("authenticates with a session token and confirms the session", async () => {
    const owner = await signUp(harness.app);
    const socket = await connectAgent(baseUrl, { token: owner.token });
    try {
      const ready = await nextEvent<{ userId: string; workspaceId: string }>(socket, "session.ready");
      expect(ready).toEqual({ userId: owner.user.id, workspaceId: owner.workspace.id });
    } finally {
      socket.close();
    }
  });

  it("refuses a handshake without a token, or with an ended one", async () => {
    await expect(connectAgent(baseUrl)).rejects.toMatchObject({ data: { code: "unauthorized" } });
    await expect(connectAgent(baseUrl, { token: "pst_not-a-session" })).rejects.toMatchObject({ data: { code: "unauthorized" } });
  });

  it("accepts the session cookie from Parley's own pages and refuses it from another site", async () => {
    const owner = await signUp(harness.app);
    const cookie = `parley_session=${owner.token}`;
    const own = await connectAgent(baseUrl, { headers: { cookie, origin: "http://parley.test" } });
    own.close();
    await expect(connectAgent(baseUrl, { headers: { cookie, origin: "https://evil.example" } })).rejects.toMatchObject({
      data: { code: "origin_not_allowed" },
    });
  });

  it("authenticates a namespace joined later on the same connection by the headers of its first request", async () => {
    // The server keeps only the handshake part of each connection's first request; a client that
    // multiplexes /agent over a connection it opened for another namespace must still be recognised.
    const owner = await signUp(harness.app);
    const manager = new Manager(baseUrl, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie: `parley_session=${owner.token}`, origin: "http://parley.test" },
    });
    const first = manager.socket("/");
    const agent = manager.socket(AGENT_NAMESPACE);
    try {
      await new Promise<void>((resolve, reject) => {
        first.once("connect", () => resolve());
        first.once("connect_error", reject);
        first.connect();
      });
      const ready = new Promise<{ userId: string }>((resolve, reject) => {
        agent.once("session.ready", resolve);
        agent.once("connect_error", reject);
      });
      agent.connect();
      expect((await ready).userId).toBe(owner.user.id);
    } finally {
      agent.close();
      first.close();
      manager.engine?.close();
    }
  });

  it("answers each event a socket sends, ignores names nobody defined, and keeps answering after them", async () => {
    const owner = await signUp(harness.app);
    const socket = await connectAgent(baseUrl, { token: owner.token });
    try {
      socket.emit("no.such.event", { anything: true });
      const refused = await socket.timeout(5_000).emitWithAck("typing", { conversationId: "not-a-uuid" });
      expect(refused).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    } finally {
      socket.close();
    }
  });

  it("delivers workspace events to that workspace's agents only", async () => {
    const alice = await signUp(harness.app, { workspaceName: "Alice Co" });
    const bob = await signUp(harness.app, { workspaceName: "Bob Co" });
    const aliceSocket = await connectAgent(baseUrl, { token: alice.token });
    const bobSocket = await connectAgent(baseUrl, { token: bob.token });
    const bobEvents: unknown[] = [];
    bobSocket.on("workspace.updated", (payload) => bobEvents.push(payload));
    try {
      const received = nextEvent<{ workspace: { id: string; name: string } }>(aliceSocket, "workspace.updated");
      const response = await harness.app.inject({
        method: "PATCH",
        url: "/api/v1/workspaces/current",
        headers: bearer(alice.token),
        payload: { name: "Alice Renamed" },
      });
      expect(response.statusCode).toBe(200);
      expect((await received).workspace).toMatchObject({ id: alice.workspace.id, name: "Alice Renamed" });
      // Give a stray cross-tenant event time to arrive before asserting it did not.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bobEvents).toEqual([]);
    } finally {
      aliceSocket.close();
      bobSocket.close();
    }
  });

  it("disconnects a session's sockets when it logs out", async () => {
    const owner = await signUp(harness.app);
    const socket = await connectAgent(baseUrl, { token: owner.token });
    const disconnected = nextEvent<string>(socket, "disconnect");
    await harness.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: bearer(owner.token) });
    expect(await disconnected).toBe("io server disconnect");
    await expect(connectAgent(baseUrl, { token: owner.token })).rejects.toMatchObject({ data: { code: "unauthorized" } });
  });
});

describe("the /widget realtime namespace", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("refuses widgets whose inbox token matches no website inbox, with a readable reason", async () => {
    const socket = connectSocket(`${baseUrl}/widget`, {
      transports: ["websocket"],
      reconnection: false,
      auth: { inboxToken: "unknown" },
    });
    const error = await new Promise<{ data?: { code: string; message: string } }>((resolve) =>
      socket.once("connect_error", resolve),
    );
    socket.close();
    expect(error.data).toEqual({ code: "unauthorized", message: "This widget's inbox token is not recognised." });
  });

  it("refuses a visitor's valid token once its inbox is deleted", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const first = await connectVisitor(harness, baseUrl, inbox.websiteToken ?? "");
    first.socket.close();
    const deleted = await harness.app.inject({
      method: "DELETE",
      url: `/api/v1/inboxes/${inbox.id}`,
      headers: bearer(owner.token),
    });
    expect(deleted.statusCode).toBe(204);
    const socket = connectSocket(`${baseUrl}/widget`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { visitorToken: first.session.visitorToken },
    });
    const error = await new Promise<{ data?: { code: string } }>((resolve) => socket.once("connect_error", resolve));
    socket.close();
    expect(error.data?.code).toBe("unauthorized");
  });
});
