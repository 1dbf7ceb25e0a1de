import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/modules/audit/audit.tables.ts";
import { bearer, signUp, startTestApp, type TestApp } from "./helpers.ts";

const ALL_ON = { sound: true, desktop: true, newConversation: true, newMessage: true, mention: true, assignment: true };

describe("personal preferences that follow the member across devices", () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp();
  });
  afterAll(async () => {
    await harness.close();
  });

  const api = (token: string, method: "GET" | "PATCH", url: string, payload?: object) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

  it("starts with no language and every alert on, and keeps what the member chooses", async () => {
    const member = await signUp(harness.app);
    const initial = await api(member.token, "GET", "/me/preferences");
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toEqual({ language: null, notifications: ALL_ON });

    const changed = await api(member.token, "PATCH", "/me/preferences", {
      language: "pt-BR",
      notifications: { sound: false, mention: false },
    });
    expect(changed.statusCode).toBe(200);
    const expected = { language: "pt-BR", notifications: { ...ALL_ON, sound: false, mention: false } };
    expect(changed.json()).toEqual(expected);
    expect((await api(member.token, "GET", "/me/preferences")).json()).toEqual(expected);
    // The dashboard's first request carries them, so a new device applies them at once.
    expect((await api(member.token, "GET", "/me")).json().preferences).toEqual(expected);

    const [entry] = await harness.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, member.workspace.id), eq(auditLog.action, "user.preferences_updated")));
    expect(entry).toMatchObject({ targetId: member.user.id, before: { language: null }, after: { language: "pt-BR" } });
  });

  it("changes only the keys sent, switch by switch", async () => {
    const member = await signUp(harness.app);
    await api(member.token, "PATCH", "/me/preferences", { language: "de", notifications: { desktop: false } });

    const onlySound = await api(member.token, "PATCH", "/me/preferences", { notifications: { sound: false } });
    expect(onlySound.json()).toEqual({ language: "de", notifications: { ...ALL_ON, desktop: false, sound: false } });

    const onlyLanguage = await api(member.token, "PATCH", "/me/preferences", { language: "ja" });
    expect(onlyLanguage.json()).toEqual({ language: "ja", notifications: { ...ALL_ON, desktop: false, sound: false } });

    const nothing = await api(member.token, "PATCH", "/me/preferences", {});
    expect(nothing.statusCode).toBe(200);
    expect(nothing.json()).toEqual(onlyLanguage.json());

    const forgotten = await api(member.token, "PATCH", "/me/preferences", { language: null });
    expect(forgotten.json().language).toBeNull();
    expect(forgotten.json().notifications).toEqual({ ...ALL_ON, desktop: false, sound: false });
  });

  it("refuses unknown languages, unknown keys and non-boolean switches with field errors", async () => {
    const member = await signUp(harness.app);
    const cases: Array<[object, string]> = [
      [{ language: "xx" }, "body.language"],
      [{ language: "pt-br" }, "body.language"],
      [{ theme: "dark" }, "body"],
      [{ notifications: { sound: "yes" } }, "body.notifications.sound"],
      [{ notifications: { vibrate: true } }, "body.notifications"],
    ];
    for (const [payload, path] of cases) {
      const refused = await api(member.token, "PATCH", "/me/preferences", payload);
      expect(refused.statusCode, JSON.stringify(payload)).toBe(400);
      const { error } = refused.json();
      expect(error.code).toBe("validation_failed");
      expect(error.details, JSON.stringify(payload)).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect((await api(member.token, "GET", "/me/preferences")).json()).toEqual({ language: null, notifications: ALL_ON });
  });

  it("keeps each member's preferences their own, and needs a session", async () => {
    const first = await signUp(harness.app);
    const second = await signUp(harness.app);
    await api(first.token, "PATCH", "/me/preferences", { language: "fr", notifications: { newMessage: false } });
    expect((await api(second.token, "GET", "/me/preferences")).json()).toEqual({ language: null, notifications: ALL_ON });
    await api(second.token, "PATCH", "/me/preferences", { language: "ko" });
    expect((await api(first.token, "GET", "/me/preferences")).json()).toEqual({
      language: "fr",
      notifications: { ...ALL_ON, newMessage: false },
    });

    const anonymous = await harness.app.inject({ method: "GET", url: "/api/v1/me/preferences" });
    expect(anonymous.statusCode).toBe(401);
  });
});
