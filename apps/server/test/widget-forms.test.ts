import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../src/modules/contacts/contacts.tables.ts";
import { conversations } from "../src/modules/conversations/conversations.tables.ts";
import { messages } from "../src/modules/messages/messages.tables.ts";
import { mailMessages } from "../src/platform/mail/mail.tables.ts";
import { createWebsiteInbox, emitWithAck } from "./conversation-helpers.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";
import { openWidgetSocket, startWidgetSession, waitFor } from "./widget-helpers.ts";

type Ack<T = unknown> = { ok: boolean; data: T; error?: { code: string; details?: Array<{ path: string; message: string }> } };

describe("widget pre-chat and offline forms", () => {
  let harness: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    harness = await startTestApp();
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "POST" | "PATCH", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  it("validates pre-chat answers against the configured fields and keeps them on the contact", async () => {
    const owner = await signUp(harness.app);
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id });
    const team = (await api(owner.token, "POST", "/teams", { name: "Sales" })).json();
    const configured = await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, {
      preChatForm: {
        isEnabled: true,
        fields: [
          { key: "name", label: "Name", type: "text", required: true },
          { key: "email", label: "Email", type: "email", required: true },
          { key: "phone", label: "Phone", type: "tel" },
          { key: "department", label: "Team", type: "select", options: [team.id] },
          { key: "budget", label: "Budget", type: "select", options: ["small", "large"] },
          { key: "terms", label: "I accept the terms", type: "checkbox", required: true },
        ],
      },
    });
    expect(configured.statusCode).toBe(200);
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    // Visitors choose a department by its team's name; the stored settings keep only the ids.
    const department = session.settings.preChatForm.fields.find((field: { key: string }) => field.key === "department");
    expect(department.optionLabels).toEqual({ [team.id]: "Sales" });
    const stored = (await api(owner.token, "GET", `/inboxes/${inbox.id}/widget-settings`)).json();
    expect(stored.settings.preChatForm.fields[3]).not.toHaveProperty("optionLabels");
    const socket = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      const refused = await emitWithAck<Ack>(socket, "visitor.profile", {
        fields: { email: "not-an-email", phone: "call me", budget: "huge", terms: false, shoeSize: "44" },
      });
      expect(refused.ok).toBe(false);
      expect(refused.error?.code).toBe("validation_failed");
      expect(refused.error?.details?.map((detail) => detail.path).sort()).toEqual([
        "fields.budget",
        "fields.email",
        "fields.name",
        "fields.phone",
        "fields.shoeSize",
        "fields.terms",
      ]);
      const accepted = await emitWithAck<Ack<{ contact: { name: string; email: string } }>>(socket, "visitor.profile", {
        fields: {
          name: "Lin",
          email: "Lin@Example.com",
          phone: "+44 20 7946 0958",
          department: team.id,
          budget: "large",
          terms: true,
        },
      });
      expect(accepted.data.contact).toEqual({ name: "Lin", email: "lin@example.com", isVerified: false });
      const [contact] = await harness.database.db
        .select()
        .from(contacts)
        .where(and(eq(contacts.workspaceId, owner.workspace.id), eq(contacts.email, "lin@example.com")));
      expect(contact).toMatchObject({
        phone: "+44 20 7946 0958",
        customAttributes: { budget: "large", terms: true, department: team.id },
      });
      // The chosen department's team takes the conversation the visitor then starts.
      const sent = await emitWithAck<Ack<{ conversationId: string }>>(socket, "message.send", {
        clientId: "m1",
        text: "Hello sales",
      });
      const [conversation] = await harness.database.db
        .select()
        .from(conversations)
        .where(eq(conversations.id, sent.data.conversationId));
      expect(conversation?.teamId).toBe(team.id);
    } finally {
      socket.close();
    }
  });

  it("turns the offline form into a pending conversation, promises an email reply, and emails agents' replies", async () => {
    const owner = await signUp(harness.app, { name: "Avery Agent" });
    const inbox = await createWebsiteInbox(harness, { workspaceId: owner.workspace.id, memberUserIds: [owner.user.id] });
    const session = (await startWidgetSession(harness, { inboxToken: inbox.websiteToken })).json();
    expect(session.availability.isOnline).toBe(false);
    const socket = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      const missingEmail = await emitWithAck<Ack>(socket, "offline.submit", {
        fields: { name: "Kim" },
        message: "Do you ship to Norway?",
      });
      expect(missingEmail).toMatchObject({ ok: false, error: { code: "validation_failed" } });
      expect(missingEmail.error?.details?.[0]?.path).toBe("fields.email");

      const promise = waitFor<{ message: { senderType: string; text: string } }>(socket, "message.created");
      const submitted = await emitWithAck<Ack<{ conversationId: string; email: string }>>(socket, "offline.submit", {
        fields: { name: "Kim", email: "kim@example.com" },
        message: "Do you ship to Norway?",
      });
      expect(submitted.ok).toBe(true);
      expect(submitted.data.email).toBe("kim@example.com");
      expect((await promise).message.text).toBe("Do you ship to Norway?");
      const [conversation] = await harness.database.db
        .select()
        .from(conversations)
        .where(eq(conversations.id, submitted.data.conversationId));
      expect(conversation?.status).toBe("pending");
      expect(conversation?.channelState).toMatchObject({ followUpByEmail: true, offlineForm: true });
      const timeline = await harness.database.db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, submitted.data.conversationId))
        .orderBy(asc(messages.seq));
      expect(timeline[0]).toMatchObject({ senderType: "contact", text: "Do you ship to Norway?" });
      expect(timeline.some((message) => message.senderType === "system" && message.text.includes("kim@example.com"))).toBe(true);

      const reply = await api(owner.token, "POST", `/conversations/${submitted.data.conversationId}/messages`, {
        clientId: "reply-1",
        text: "Yes, we ship to Norway in 3 days.",
      });
      expect(reply.statusCode).toBe(201);
      const note = await api(owner.token, "POST", `/conversations/${submitted.data.conversationId}/messages`, {
        clientId: "note-1",
        text: "Internal: check stock",
        isPrivate: true,
      });
      expect(note.statusCode).toBe(201);
      const mails = await harness.database.db.select().from(mailMessages).where(eq(mailMessages.toAddress, "kim@example.com"));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.textBody).toContain("Yes, we ship to Norway in 3 days.");
      expect(mails[0]?.textBody).toContain("Avery Agent");
      expect(mails[0]?.textBody).not.toContain("Internal");
    } finally {
      socket.close();
    }

    // A disabled offline form is refused.
    await api(owner.token, "PATCH", `/inboxes/${inbox.id}/widget-settings`, {
      offlineForm: { isEnabled: false, fields: [] },
    });
    const later = await openWidgetSocket(baseUrl, session.visitorToken);
    try {
      expect(await emitWithAck(later, "offline.submit", { fields: {}, message: "hi" })).toMatchObject({
        ok: false,
        error: { code: "bad_request" },
      });
    } finally {
      later.close();
    }
  });
});
