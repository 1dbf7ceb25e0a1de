import type { TCompiledTrigger, TWidgetAvailability, TWidgetContact, TWidgetSettings } from "@parley/shared";
import { readSettings } from "./settings.ts";

/** What `POST /api/v1/widget/sessions` tells the frame, read defensively (older servers send less). */
export type WidgetSession = {
  visitorToken: string;
  visitorId: string;
  inboxName: string;
  greetingMessage: string;
  conversation: { id: string; status: string; lastMessageSeq: number } | null;
  settings: TWidgetSettings;
  availability: TWidgetAvailability | null;
  triggers: TCompiledTrigger[];
  visitor: {
    visitCount: number;
    country: string | null;
    city: string | null;
    deviceType: string | null;
    isWithinBusinessHours: boolean;
    agentsOnline: number;
  };
  contact: TWidgetContact | null;
};

export type SessionOutcome =
  | { ok: true; session: WidgetSession }
  | { ok: false; isBanned: boolean; message: string | null; isRetryable: boolean };

export type PageInfo = { url: string; title: string; referrer: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const textOr = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);
const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);
const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

const visitorTokenKey = (inboxToken: string) => `parley:visitor:${inboxToken}`;

/** Storage may be blocked (third-party frames in strict browsers): the visitor is then new on every load. */
export const storage = {
  get: (key: string): string | null => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (key: string, value: string | null): void => {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {}
  },
};

export const savedVisitorToken = (inboxToken: string) => storage.get(visitorTokenKey(inboxToken));
export const saveVisitorToken = (inboxToken: string, token: string | null) => storage.set(visitorTokenKey(inboxToken), token);

const readAvailability = (value: unknown): TWidgetAvailability | null => {
  if (!isRecord(value)) return null;
  return {
    isOnline: value.isOnline === true,
    withinBusinessHours: value.withinBusinessHours !== false,
    typicalReplySeconds: typeof value.typicalReplySeconds === "number" ? value.typicalReplySeconds : null,
    agents: (Array.isArray(value.agents) ? value.agents : []).flatMap((agent) =>
      isRecord(agent) && typeof agent.name === "string" ? [{ name: agent.name, avatarUrl: textOrNull(agent.avatarUrl) }] : [],
    ),
  };
};

export const readSession = (body: unknown): WidgetSession | null => {
  if (!isRecord(body) || typeof body.visitorToken !== "string") return null;
  const inbox = isRecord(body.inbox) ? body.inbox : {};
  const conversation = isRecord(body.conversation) && typeof body.conversation.id === "string" ? body.conversation : null;
  const visitor = isRecord(body.visitor) ? body.visitor : {};
  const contact = isRecord(body.contact) ? body.contact : null;
  return {
    visitorToken: body.visitorToken,
    visitorId: textOr(body.visitorId, ""),
    inboxName: textOr(inbox.name, ""),
    greetingMessage: textOr(inbox.greetingMessage, ""),
    conversation: conversation
      ? {
          id: textOr(conversation.id, ""),
          status: textOr(conversation.status, "open"),
          lastMessageSeq: numberOr(conversation.lastMessageSeq, 0),
        }
      : null,
    settings: readSettings(body.settings),
    availability: readAvailability(body.availability),
    // Triggers come from our own server in the compiled shape; an older server sends none.
    triggers: Array.isArray(body.triggers)
      ? body.triggers.filter((trigger): trigger is TCompiledTrigger => isRecord(trigger))
      : [],
    visitor: {
      visitCount: numberOr(visitor.visitCount, 1),
      country: textOrNull(visitor.country),
      city: textOrNull(visitor.city),
      deviceType: textOrNull(visitor.deviceType),
      isWithinBusinessHours: visitor.isWithinBusinessHours !== false,
      agentsOnline: numberOr(visitor.agentsOnline, 0),
    },
    contact: contact
      ? { name: textOrNull(contact.name), email: textOrNull(contact.email), isVerified: contact.isVerified === true }
      : null,
  };
};

const clientInfo = () => {
  const info: Record<string, string> = {
    language: navigator.language.slice(0, 35),
    userAgent: navigator.userAgent.slice(0, 1000),
  };
  if (screen.width && screen.height) info.screen = `${Math.round(screen.width)}x${Math.round(screen.height)}`;
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (timezone) info.timezone = timezone.slice(0, 64);
  return info;
};

/** Starts or resumes the visitor's session; a kept visitor token brings back their conversations. */
export const startSession = async (inboxToken: string, page: PageInfo | null): Promise<SessionOutcome> => {
  const visitorToken = savedVisitorToken(inboxToken);
  const body = {
    inboxToken,
    ...(visitorToken ? { visitorToken } : {}),
    ...(page?.url
      ? { page: { url: page.url.slice(0, 2048), title: page.title.slice(0, 500), referrer: page.referrer.slice(0, 2048) } }
      : {}),
    client: clientInfo(),
  };
  let response: Response;
  try {
    response = await fetch("/api/v1/widget/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, isBanned: false, message: null, isRetryable: true };
  }
  const json: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const session = readSession(json);
    if (session) {
      saveVisitorToken(inboxToken, session.visitorToken);
      return { ok: true, session };
    }
  }
  // Errors arrive as { error: { code, message, details } }.
  const error = isRecord(json) && isRecord(json.error) ? json.error : {};
  return {
    ok: false,
    isBanned: error.code === "visitor_banned",
    message: textOrNull(error.message),
    isRetryable: response.status >= 500 || response.status === 429,
  };
};
