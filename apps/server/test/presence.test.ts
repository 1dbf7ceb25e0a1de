import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presenceTiming } from "../src/modules/routing/presence-timing.ts";
import { collect, emitWithAck } from "./conversation-helpers.ts";
import {
  bearer,
  connectAgent,
  createApiKey,
  nextEventMatching,
  signUp,
  startTestApp,
  startTestWorker,
  type TestApp,
} from "./helpers.ts";
import { addMember, eventually, setPresence } from "./routing-helpers.ts";

type Presence = { userId: string; status: string; connectedSockets: number; maxConcurrent: number | null };

describe("routing: agent presence", () => {
  let harness: TestApp;
  let baseUrl: string;
  let worker: Awaited<ReturnType<typeof startTestWorker>>;
  const defaultGrace = presenceTiming.awayAfterDisconnectMs;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
    worker = await startTestWorker(harness);
  });
  afterAll(async () => {
    presenceTiming.awayAfterDisconnectMs = defaultGrace;
    await worker.stop();
    await harness.close();
  });

  const presenceOf = async (token: string, userId: string): Promise<Presence | undefined> => {
    const response = await harness.app.inject({ url: "/api/v1/presence", headers: bearer(token) });
    return (response.json().items as Presence[]).find((item) => item.userId === userId);
  };

  it("lists every member as offline until they connect or choose a status, and validates the choice", async () => {
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    expect(await presenceOf(owner.token, ada.userId)).toMatchObject({ status: "offline", connectedSockets: 0 });

    const set = await setPresence(harness, ada.token, { status: "busy", maxConcurrent: 3 });
    expect(set.statusCode).toBe(200);
    expect(await presenceOf(owner.token, ada.userId)).toMatchObject({ status: "busy", maxConcurrent: 3 });

    expect((await setPresence(harness, ada.token, { status: "sleeping" })).statusCode).toBe(400);
    expect((await setPresence(harness, ada.token, { status: "online", maxConcurrent: 0 })).statusCode).toBe(400);
    expect((await setPresence(harness, ada.token, { status: "online", extra: true })).statusCode).toBe(400);
    expect((await harness.app.inject({ url: "/api/v1/presence" })).statusCode).toBe(401);

    // Another workspace never sees these members.
    const stranger = await signUp(harness.app);
    expect(await presenceOf(stranger.token, ada.userId)).toBeUndefined();
  });

  it("brings a member online with their first connection, counts sockets and sets presence over the socket, telling the workspace", async () => {
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    const watcher = await connectAgent(baseUrl, { token: owner.token });
    const first = await connectAgent(baseUrl, { token: ada.token });
    const isAda = (payload: { presence: Presence }) => payload.presence.userId === ada.userId;
    try {
      // Nobody chose a status for Ada: opening the dashboard makes her available.
      const cameOnline = await nextEventMatching(watcher, "presence.updated", isAda);
      expect(cameOnline.presence).toMatchObject({ status: "online", connectedSockets: 1 });

      const second = await connectAgent(baseUrl, { token: ada.token });
      expect(
        await eventually(
          () => presenceOf(owner.token, ada.userId),
          (presence) => presence?.connectedSockets === 2,
        ),
      ).toMatchObject({ connectedSockets: 2, status: "online" });

      const told = nextEventMatching(watcher, "presence.updated", isAda);
      const ack = await emitWithAck<{ ok: boolean; data: Presence }>(first, "presence.set", { status: "busy" });
      expect(ack).toMatchObject({ ok: true, data: { userId: ada.userId, status: "busy" } });
      expect((await told).presence).toMatchObject({ userId: ada.userId, status: "busy" });

      const bad = await emitWithAck<{ ok: boolean; error: { code: string } }>(first, "presence.set", { status: 42 });
      expect(bad).toMatchObject({ ok: false, error: { code: "validation_failed" } });

      second.close();
      expect(
        await eventually(
          () => presenceOf(owner.token, ada.userId),
          (presence) => presence?.connectedSockets === 1,
        ),
      ).toMatchObject({ connectedSockets: 1, status: "busy" });
    } finally {
      watcher.close();
      first.close();
    }
  });

  it("keeps a chosen offline or away when the member opens the dashboard again", async () => {
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    const grace = await addMember(harness, owner.workspace.id);
    await setPresence(harness, ada.token, { status: "offline" });
    await setPresence(harness, grace.token, { status: "away" });
    const sockets = [await connectAgent(baseUrl, { token: ada.token }), await connectAgent(baseUrl, { token: grace.token })];
    try {
      for (const [member, status] of [
        [ada, "offline"],
        [grace, "away"],
      ] as const) {
        expect(
          await eventually(
            () => presenceOf(owner.token, member.userId),
            (presence) => presence?.connectedSockets === 1,
          ),
        ).toMatchObject({ status });
      }
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it("turns an online agent away once their last socket has been gone for the grace period", async () => {
    presenceTiming.awayAfterDisconnectMs = 100;
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    await setPresence(harness, ada.token, { status: "online" });
    const socket = await connectAgent(baseUrl, { token: ada.token });
    await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.connectedSockets === 1,
    );
    socket.close();
    const after = await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.status === "away",
      8_000,
    );
    expect(after).toMatchObject({ status: "away", connectedSockets: 0 });
  });

  it("brings an agent the grace period turned away back online when they reconnect; a chosen away stays", async () => {
    presenceTiming.awayAfterDisconnectMs = 100;
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    await setPresence(harness, ada.token, { status: "online" });
    const watcher = await connectAgent(baseUrl, { token: owner.token });
    const socket = await connectAgent(baseUrl, { token: ada.token });
    await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.connectedSockets === 1,
    );
    socket.close();
    const turnedAway = await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.status === "away",
      8_000,
    );
    expect(turnedAway).toMatchObject({ status: "away" });
    try {
      const announced = collect<{ presence: Presence }>(watcher, "presence.updated");
      const back = await connectAgent(baseUrl, { token: ada.token });
      const presences = await eventually(
        async () => announced.map((event) => event.presence),
        (seen) => seen.some((presence) => presence.userId === ada.userId && presence.status === "online"),
      );
      expect(presences).toContainEqual(expect.objectContaining({ userId: ada.userId, status: "online" }));
      expect(await presenceOf(owner.token, ada.userId)).toMatchObject({ status: "online", connectedSockets: 1 });
      back.close();
      const awayAgain = await eventually(
        () => presenceOf(owner.token, ada.userId),
        (presence) => presence?.status === "away",
        8_000,
      );
      expect(awayAgain).toMatchObject({ status: "away", connectedSockets: 0 });

      // Choosing "away" is the agent's own: reconnecting does not undo it.
      expect((await setPresence(harness, ada.token, { status: "away" })).statusCode).toBe(200);
      const again = await connectAgent(baseUrl, { token: ada.token });
      await eventually(
        () => presenceOf(owner.token, ada.userId),
        (presence) => presence?.connectedSockets === 1,
      );
      expect(await presenceOf(owner.token, ada.userId)).toMatchObject({ status: "away" });
      again.close();
    } finally {
      watcher.close();
    }
  });

  it("keeps an agent online when they reconnect within the grace period", async () => {
    presenceTiming.awayAfterDisconnectMs = 1_500;
    const owner = await signUp(harness.app);
    const ada = await addMember(harness, owner.workspace.id);
    await setPresence(harness, ada.token, { status: "online" });
    const socket = await connectAgent(baseUrl, { token: ada.token });
    await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.connectedSockets === 1,
    );
    socket.close();
    await eventually(
      () => presenceOf(owner.token, ada.userId),
      (presence) => presence?.connectedSockets === 0,
    );
    const again = await connectAgent(baseUrl, { token: ada.token });
    try {
      await eventually(
        () => presenceOf(owner.token, ada.userId),
        (presence) => presence?.connectedSockets === 1,
      );
      // Past the grace period and the queue's poll: the scheduled away job found them connected.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(await presenceOf(owner.token, ada.userId)).toMatchObject({ status: "online", connectedSockets: 1 });
    } finally {
      again.close();
    }
  });

  it("refuses presence for API keys, which are nobody", async () => {
    const owner = await signUp(harness.app);
    const key = await createApiKey(harness.app, owner.token, ["contacts.view"], "bot");
    const response = await setPresence(harness, key, { status: "online" });
    expect(response.statusCode).toBe(403);
  });
});
