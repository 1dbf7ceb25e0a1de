import type {
  TCannedResponse,
  TCreateCannedResponseRequest,
  TRenderedCannedResponse,
  TUpdateCannedResponseRequest,
} from "@parley/shared";
import { and, asc, eq, ilike, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { type DatabaseOrTransaction, isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { findVisibleConversation } from "../conversations/visibility.ts";
import { attachments } from "../messages/messages.tables.ts";
import { cannedResponses } from "./canned.tables.ts";

type Services = Pick<AppServices, "db" | "realtime">;
type CannedRow = typeof cannedResponses.$inferSelect;

const toDto = (row: CannedRow): TCannedResponse => ({
  id: row.id,
  scope: row.ownerUserId === null ? "shared" : "personal",
  ownerUserId: row.ownerUserId,
  shortcut: row.shortcut,
  content: row.content,
  attachmentIds: row.attachmentIds,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Shared responses and the caller's own personal ones: what the caller may use. */
const usableBy = (identity: RequestIdentity): SQL =>
  and(
    eq(cannedResponses.workspaceId, identity.workspaceId),
    identity.userId === null
      ? isNull(cannedResponses.ownerUserId)
      : or(isNull(cannedResponses.ownerUserId), eq(cannedResponses.ownerUserId, identity.userId)),
  ) as SQL;

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (character) => `\\${character}`);

export const listCannedResponses = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  search: string | undefined,
): Promise<TCannedResponse[]> => {
  const pattern = search ? `%${escapeLike(search)}%` : null;
  const rows = await db
    .select()
    .from(cannedResponses)
    .where(
      and(
        usableBy(identity),
        pattern ? or(ilike(cannedResponses.shortcut, pattern), ilike(cannedResponses.content, pattern)) : undefined,
      ),
    )
    .orderBy(asc(cannedResponses.shortcut), sql`${cannedResponses.ownerUserId} asc nulls first`)
    .limit(500);
  return rows.map(toDto);
};

/** Shared responses are the workspace's: changing them needs `settings.manage`. */
const assertMayChange = (identity: RequestIdentity, row: CannedRow): void => {
  if (row.ownerUserId === null && !hasPermission(identity, "settings.manage")) {
    throw new AppError("forbidden", 'You need the "settings.manage" permission to change shared canned responses.', undefined, {
      reason: "permission_required",
      params: { permission: "settings.manage" },
    });
  }
};

const findUsable = async (db: DatabaseOrTransaction, identity: RequestIdentity, id: string): Promise<CannedRow> => {
  const [row] = await db
    .select()
    .from(cannedResponses)
    .where(and(eq(cannedResponses.id, id), usableBy(identity)));
  if (!row) throw new AppError("not_found", "No canned response with this id.");
  return row;
};

const assertAttachmentsExist = async (db: DatabaseOrTransaction, workspaceId: string, ids: readonly string[]) => {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(and(eq(attachments.workspaceId, workspaceId), inArray(attachments.id, unique)));
  if (found.length !== unique.length) {
    throw new AppError("validation_failed", "An attachment does not exist in this workspace.", [
      { path: "attachmentIds", message: "unknown attachment" },
    ]);
  }
};

const duplicateShortcut = (shortcut: string) =>
  new AppError("conflict", `The shortcut "/${shortcut}" is already used here.`, [{ path: "shortcut", message: "taken" }], {
    reason: "canned_shortcut_taken",
    params: { shortcut },
  });

export const createCannedResponse = async (
  services: Services,
  identity: RequestIdentity,
  input: TCreateCannedResponseRequest,
  actor: AuditActor,
): Promise<TCannedResponse> => {
  if (input.scope === "shared" && !hasPermission(identity, "settings.manage")) {
    throw new AppError("forbidden", 'You need the "settings.manage" permission to create shared canned responses.', undefined, {
      reason: "permission_required",
      params: { permission: "settings.manage" },
    });
  }
  if (input.scope === "personal" && identity.userId === null) {
    throw new AppError("forbidden", "API keys have no personal canned responses; create a shared one.");
  }
  try {
    const { row, entry } = await services.db.transaction(async (tx) => {
      await assertAttachmentsExist(tx, identity.workspaceId, input.attachmentIds);
      const [created] = await tx
        .insert(cannedResponses)
        .values({
          workspaceId: identity.workspaceId,
          ownerUserId: input.scope === "personal" ? identity.userId : null,
          shortcut: input.shortcut,
          content: input.content,
          attachmentIds: [...new Set(input.attachmentIds)],
        })
        .returning();
      if (!created) throw new Error("canned response insert returned no row");
      const audited = await recordAudit(tx, {
        workspaceId: identity.workspaceId,
        actor,
        action: "canned_response.created",
        target: { type: "canned_response", id: created.id, label: `/${created.shortcut}` },
        after: { scope: input.scope, shortcut: created.shortcut, content: created.content },
      });
      return { row: created, entry: audited };
    });
    publishAudit(services.realtime, identity.workspaceId, entry);
    return toDto(row);
  } catch (error) {
    if (isUniqueViolation(error, "canned_responses_shortcut_unique")) throw duplicateShortcut(input.shortcut);
    throw error;
  }
};

export const updateCannedResponse = async (
  services: Services,
  identity: RequestIdentity,
  id: string,
  input: TUpdateCannedResponseRequest,
  actor: AuditActor,
): Promise<TCannedResponse> => {
  try {
    const { row, entry } = await services.db.transaction(async (tx) => {
      const before = await findUsable(tx, identity, id);
      assertMayChange(identity, before);
      if (input.attachmentIds) await assertAttachmentsExist(tx, identity.workspaceId, input.attachmentIds);
      const [after] = await tx
        .update(cannedResponses)
        .set({
          ...(input.shortcut === undefined ? {} : { shortcut: input.shortcut }),
          ...(input.content === undefined ? {} : { content: input.content }),
          ...(input.attachmentIds === undefined ? {} : { attachmentIds: [...new Set(input.attachmentIds)] }),
          updatedAt: new Date(),
        })
        .where(eq(cannedResponses.id, before.id))
        .returning();
      if (!after) throw new AppError("not_found", "No canned response with this id.");
      const pick = (value: CannedRow) => ({
        shortcut: value.shortcut,
        content: value.content,
        attachmentIds: value.attachmentIds,
      });
      const changes = changedFields(pick(before), pick(after));
      const audited = changes
        ? await recordAudit(tx, {
            workspaceId: identity.workspaceId,
            actor,
            action: "canned_response.updated",
            target: { type: "canned_response", id: after.id, label: `/${after.shortcut}` },
            ...changes,
          })
        : null;
      return { row: after, entry: audited };
    });
    if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
    return toDto(row);
  } catch (error) {
    if (isUniqueViolation(error, "canned_responses_shortcut_unique")) throw duplicateShortcut(input.shortcut ?? "");
    throw error;
  }
};

export const deleteCannedResponse = async (
  services: Services,
  identity: RequestIdentity,
  id: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await services.db.transaction(async (tx) => {
    const row = await findUsable(tx, identity, id);
    assertMayChange(identity, row);
    await tx.delete(cannedResponses).where(eq(cannedResponses.id, row.id));
    return recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "canned_response.deleted",
      target: { type: "canned_response", id: row.id, label: `/${row.shortcut}` },
      before: { shortcut: row.shortcut, content: row.content },
    });
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
};

const VARIABLE = /\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g;

const asText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
};

/**
 * Fills a response's variables for one conversation the caller can see. A variable without a
 * value (or an unknown one) renders as empty text and is listed in `missing`, so the composer
 * can warn before the agent sends it.
 */
export const renderCannedResponse = async (
  db: DatabaseOrTransaction,
  identity: RequestIdentity,
  id: string,
  conversationId: string,
): Promise<TRenderedCannedResponse> => {
  const canned = await findUsable(db, identity, id);
  const conversation = await findVisibleConversation(db, identity, conversationId);
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, conversation.contactId));
  const [agent] = identity.userId ? await db.select({ name: users.name }).from(users).where(eq(users.id, identity.userId)) : [];
  const valueFor = (name: string): string | null => {
    if (name === "contact.name") return asText(contact?.name);
    if (name === "contact.email") return asText(contact?.email);
    if (name === "contact.phone") return asText(contact?.phone);
    if (name === "agent.name") return asText(agent?.name);
    if (name === "conversation.number") return String(conversation.number);
    if (name.startsWith("contact.custom.")) {
      const key = name.slice("contact.custom.".length);
      const custom = contact?.customAttributes ?? {};
      return Object.hasOwn(custom, key) ? asText(custom[key]) : null;
    }
    return null;
  };
  const missing = new Set<string>();
  const text = canned.content.replace(VARIABLE, (_match, name: string) => {
    const value = valueFor(name);
    if (value === null) missing.add(name);
    return value ?? "";
  });
  return { text, missing: [...missing], attachmentIds: canned.attachmentIds };
};
