import { randomUUID } from "node:crypto";
import type { TWidgetSessionResponse } from "@parley/shared";
import { and, desc, eq, isNull, ne } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import type { AppServices } from "../../platform/services.ts";
import { contactIdentities } from "../contacts/contacts.tables.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";

const VISITOR_TOKEN_PURPOSE = "widget-visitor";

/** The website inbox a widget's `data-inbox` token names, if it exists and is not deleted. */
export const findWebsiteInbox = async (db: Database, websiteToken: string) => {
  const [inbox] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.websiteToken, websiteToken), eq(inboxes.type, "website"), isNull(inboxes.deletedAt)));
  return inbox ?? null;
};

/**
 * A visitor's identity on one website inbox, as a signed token the widget keeps (localStorage) so
 * a returning visitor finds their conversations. Forging or moving it to another inbox fails.
 */
export const readVisitorToken = (
  services: Pick<AppServices, "secrets">,
  token: string,
): { inboxId: string; visitorId: string } | null => {
  const payload = services.secrets.verify(VISITOR_TOKEN_PURPOSE, token);
  if (!payload || typeof payload.inboxId !== "string" || typeof payload.visitorId !== "string") return null;
  return { inboxId: payload.inboxId, visitorId: payload.visitorId };
};

export const startWidgetSession = async (
  services: Pick<AppServices, "db" | "secrets">,
  input: { inboxToken: string; visitorToken?: string | undefined },
): Promise<TWidgetSessionResponse> => {
  const inbox = await findWebsiteInbox(services.db, input.inboxToken);
  if (!inbox) throw new AppError("not_found", "No website inbox has this token; check the data-inbox value in the snippet.");
  const known = input.visitorToken ? readVisitorToken(services, input.visitorToken) : null;
  const visitorId = known && known.inboxId === inbox.id ? known.visitorId : randomUUID();
  const visitorToken = services.secrets.sign(VISITOR_TOKEN_PURPOSE, { inboxId: inbox.id, visitorId });
  const [latest] = await services.db
    .select({ id: conversations.id, status: conversations.status, lastMessageSeq: conversations.lastMessageSeq })
    .from(conversations)
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
    .where(
      and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, visitorId), ne(conversations.status, "closed")),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  return {
    visitorToken,
    visitorId,
    inbox: { id: inbox.id, name: inbox.name, greetingMessage: inbox.greetingEnabled ? inbox.greetingMessage : "" },
    conversation: latest ?? null,
  };
};

/** The socket handshake check for `/widget`: a valid visitor token for a live website inbox. */
export const authenticateVisitor = async (
  services: Pick<AppServices, "db" | "secrets">,
  auth: Record<string, unknown>,
): Promise<VisitorIdentity | null> => {
  const token = auth.visitorToken;
  if (typeof token !== "string") return null;
  const visitor = readVisitorToken(services, token);
  if (!visitor) return null;
  const [inbox] = await services.db
    .select({ id: inboxes.id, workspaceId: inboxes.workspaceId })
    .from(inboxes)
    .where(and(eq(inboxes.id, visitor.inboxId), eq(inboxes.type, "website"), isNull(inboxes.deletedAt)));
  return inbox ? { workspaceId: inbox.workspaceId, inboxId: inbox.id, visitorId: visitor.visitorId } : null;
};
