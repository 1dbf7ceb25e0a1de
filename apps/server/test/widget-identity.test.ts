import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { openWidgetSocket, startWidgetSession } from "./widget-helpers.ts";

type Ack = {
  ok: boolean;
  data?: { contact: { name: string | null; email: string | null; isVerified: boolean } };
  error?: { code: string };
};

describe("widget identity verification", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const setUp = async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const rotated = await harness.app.inject({
      method: "POST",
      url: `/api/v1/inboxes/${inbox.id}/secret/rotate`,
      headers: bearer(owner.token),
    });
    const { secret } = rotated.json() as { secret: string };
    const sign = (id: string) => createHmac("sha256", secret).update(id).digest("hex");
    const visitor = async () => {
      const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
      return { session, socket: await openWidgetSocket(baseUrl, session.visitorToken) };
    };
    return { owner, inbox, sign, visitor };
  };

  it("links a verified visitor to the site's user across browsers and merges their conversations", async () => {
    const { sign, visitor } = await setUp();
    const laptop = await visitor();
    const phone = await visitor();
    try {
      const first = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(laptop.socket, "message.send", {
        clientId: "l1",
        text: "From my laptop",
      });
      const identified = await emitWithAck<Ack>(laptop.socket, "visitor.identify", {
        id: "user-42",
        email: "Grace@Example.com",
        name: "Grace Hopper",
        hash: sign("user-42"),
        attributes: { plan: "pro" },
      });
      expect(identified).toEqual({
        ok: true,
        data: { contact: { name: "Grace Hopper", email: "grace@example.com", isVerified: true } },
      });

      const second = await emitWithAck<{ ok: boolean; data: { conversationId: string } }>(phone.socket, "message.send", {
        clientId: "p1",
        text: "From my phone",
      });
      const onPhone = await emitWithAck<Ack>(phone.socket, "visitor.identify", { id: "user-42", hash: sign("user-42") });
      expect(onPhone.data?.contact).toEqual({ name: "Grace Hopper", email: "grace@example.com", isVerified: true });

      // One contact holds both browsers' conversations now.
      const rows = await harness.database.db
        .select({ id: conversations.id, contactId: conversations.contactId })
        .from(conversations)
        .where(eq(conversations.id, first.data.conversationId));
      const [other] = await harness.database.db
        .select({ contactId: conversations.contactId })
        .from(conversations)
        .where(eq(conversations.id, second.data.conversationId));
      expect(rows[0]?.contactId).toBe(other?.contactId);
      const [contact] = await harness.database.db
        .select()
        .from(contacts)
        .where(eq(contacts.id, other?.contactId ?? ""));
      expect(contact?.customAttributes).toEqual({ plan: "pro" });
      const listed = await emitWithAck<{ ok: boolean; data: { items: Array<{ id: string }> } }>(
        phone.socket,
        "conversations.list",
        {},
      );
      expect(listed.data.items.map((item) => item.id).sort()).toEqual(
        [first.data.conversationId, second.data.conversationId].sort(),
      );
    } finally {
      laptop.socket.close();
      phone.socket.close();
    }
  });

  it("refuses a forged hash and never lets an unverified identify reach or change a verified contact", async () => {
    const { owner, sign, visitor } = await setUp();
    const ofWorkspace = and(eq(contacts.workspaceId, owner.workspace.id), eq(contacts.email, "grace@example.com"));
    const grace = await visitor();
    const mallory = await visitor();
    try {
      await emitWithAck(grace.socket, "visitor.identify", {
        id: "user-7",
        email: "grace@example.com",
        name: "Grace",
        hash: sign("user-7"),
      });

      const forged = await emitWithAck<Ack>(mallory.socket, "visitor.identify", { id: "user-7", hash: sign("user-8") });
      expect(forged).toMatchObject({ ok: false, error: { code: "identity_verification_failed" } });
      const garbage = await emitWithAck<Ack>(mallory.socket, "visitor.identify", { id: "user-7", hash: "not-hex" });
      expect(garbage).toMatchObject({ ok: false, error: { code: "identity_verification_failed" } });

      // Claiming Grace's email without a hash only touches Mallory's own contact, without the email.
      await new Promise((resolve) => setTimeout(resolve, 1_050)); // identify allows 2 a second
      const claimed = await emitWithAck<Ack>(mallory.socket, "visitor.identify", {
        id: "user-7",
        email: "grace@example.com",
        name: "Not Grace",
      });
      expect(claimed).toEqual({ ok: true, data: { contact: { name: "Not Grace", email: null, isVerified: false } } });
      const graces = await harness.database.db.select().from(contacts).where(ofWorkspace);
      expect(graces).toHaveLength(1);
      expect(graces[0]?.name).toBe("Grace");

      // On the verified visitor's own browser, an unverified identify cannot rename the verified contact either.
      const overwrite = await emitWithAck<Ack>(grace.socket, "visitor.identify", { id: "user-7", name: "Hijacked" });
      expect(overwrite).toMatchObject({ ok: false, error: { code: "identity_verification_failed" } });
      const [still] = await harness.database.db.select().from(contacts).where(ofWorkspace);
      expect(still?.name).toBe("Grace");
    } finally {
      grace.socket.close();
      mallory.socket.close();
    }
  });

  it("refuses unverified identify when the inbox requires verification", async () => {
    const { owner, inbox, sign, visitor } = await setUp();
    await harness.app.inject({
      method: "PATCH",
      url: `/api/v1/inboxes/${inbox.id}/widget-settings`,
      headers: bearer(owner.token),
      payload: { requireIdentityVerification: true },
    });
    const { socket } = await visitor();
    try {
      const refused = await emitWithAck<Ack>(socket, "visitor.identify", { id: "u1", name: "Anon" });
      expect(refused).toMatchObject({ ok: false, error: { code: "identity_verification_failed" } });
      const accepted = await emitWithAck<Ack>(socket, "visitor.identify", { id: "u1", name: "Known", hash: sign("u1") });
      expect(accepted.data?.contact).toEqual({ name: "Known", email: null, isVerified: true });
    } finally {
      socket.close();
    }
  });

  it("keeps custom attributes within limits", async () => {
    const { visitor } = await setUp();
    const { session, socket } = await visitor();
    try {
      const set = await emitWithAck<{ ok: boolean; data: { attributes: Record<string, unknown> } }>(
        socket,
        "visitor.attributes",
        {
          attributes: { plan: "team", seats: 5, trial: false },
        },
      );
      expect(set.data.attributes).toEqual({ plan: "team", seats: 5, trial: false });
      const removed = await emitWithAck<{ ok: boolean; data: { attributes: Record<string, unknown> } }>(
        socket,
        "visitor.attributes",
        {
          attributes: { trial: null },
        },
      );
      expect(removed.data.attributes).toEqual({ plan: "team", seats: 5 });
      const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, index]));
      const refused = await emitWithAck<{ ok: boolean; error: { code: string } }>(socket, "visitor.attributes", {
        attributes: tooMany,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      const nested = await emitWithAck<{ ok: boolean; error: { code: string } }>(socket, "visitor.attributes", {
        attributes: { deep: { a: 1 } },
      });
      expect(nested).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      expect(session.contact.isVerified).toBe(false);
    } finally {
      socket.close();
    }
  });
});
