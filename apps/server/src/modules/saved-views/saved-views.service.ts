import {
  CONVERSATION_SORTS,
  MAX_SAVED_VIEWS_PER_OWNER,
  type TConversationListFilter,
  type TCreateSavedViewRequest,
  type TSavedView,
  type TSavedViewCounts,
  type TUpdateSavedViewRequest,
  ZConversationListFilter,
} from "@parley/shared";
import { and, asc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { type DatabaseOrTransaction, isUniqueViolation } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { hasPermission, type RequestIdentity } from "../../platform/identity.ts";
import type { AppServices } from "../../platform/services.ts";
import { type AuditActor, changedFields, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { matchesFilterCondition } from "../conversations/conversation-list.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { visibleConversationsCondition } from "../conversations/visibility.ts";
import { savedViews } from "./saved-views.tables.ts";

type Services = Pick<AppServices, "db" | "realtime">;
type SavedViewRow = typeof savedViews.$inferSelect;

const NOT_FOUND = "No saved view with this id that you can see.";
const SHARED_PERMISSION = "views.manage_shared";

const toSort = (value: string): TSavedView["sort"] => CONVERSATION_SORTS.find((sort) => sort === value) ?? "latest";

/** Stored filters were parsed on the way in; parsing again keeps a row from an older version from reaching SQL unchecked. */
const toFilter = (value: unknown): TConversationListFilter => {
  const parsed = ZConversationListFilter.safeParse(value);
  return parsed.success ? parsed.data : {};
};

const toDto = (row: SavedViewRow, ownerName: string | null, identity: RequestIdentity): TSavedView => ({
  id: row.id,
  name: row.name,
  filter: toFilter(row.filter),
  sort: toSort(row.sort),
  shared: row.shared,
  position: row.position,
  ownerId: row.ownerId,
  ownerName,
  mine: row.ownerId === identity.userId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** The caller's own views and the workspace's shared ones; API keys own none. */
const visibleViews = (identity: RequestIdentity): SQL =>
  and(
    eq(savedViews.workspaceId, identity.workspaceId),
    identity.userId === null
      ? eq(savedViews.shared, true)
      : or(eq(savedViews.shared, true), eq(savedViews.ownerId, identity.userId)),
  ) as SQL;

export const listSavedViews = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<TSavedView[]> => {
  const rows = await db
    .select({ view: savedViews, ownerName: users.name })
    .from(savedViews)
    .leftJoin(users, eq(users.id, savedViews.ownerId))
    .where(visibleViews(identity))
    .orderBy(asc(savedViews.position), sql`lower(${savedViews.name})`, asc(savedViews.id));
  return rows.map((row) => toDto(row.view, row.ownerName, identity));
};

const findVisibleView = async (tx: DatabaseOrTransaction, identity: RequestIdentity, id: string): Promise<SavedViewRow> => {
  const [row] = await tx
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.id, id), visibleViews(identity)))
    .for("update");
  if (!row) throw new AppError("not_found", NOT_FOUND);
  return row;
};

const forbidSharing = (action: string) =>
  new AppError(
    "forbidden",
    `You need the "${SHARED_PERMISSION}" permission to ${action} views shared with the workspace.`,
    { permission: SHARED_PERMISSION },
    { reason: "permission_required", params: { permission: SHARED_PERMISSION } },
  );

/** A private view is its owner's alone; a shared view is the workspace's, changed with `views.manage_shared`. */
const assertMayChange = (identity: RequestIdentity, row: SavedViewRow, action: string): void => {
  if (row.shared) {
    if (!hasPermission(identity, SHARED_PERMISSION)) throw forbidSharing(action);
    return;
  }
  // Others' private views are never listed for the caller, so they are simply not found.
  if (row.ownerId !== identity.userId) throw new AppError("not_found", NOT_FOUND);
};

const ownerNameOf = async (db: DatabaseOrTransaction, userId: string): Promise<string | null> => {
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return row?.name ?? null;
};

const withUniqueName = async <T>(name: string | undefined, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, "saved_views_owner_name_unique")) {
      throw new AppError("view_name_taken", `There is already a view named "${name ?? ""}"; choose another name.`, [
        { path: "body.name", message: "already used by another of your views" },
      ]);
    }
    throw error;
  }
};

const audited = (row: SavedViewRow) => ({ name: row.name, filter: row.filter, sort: row.sort, shared: row.shared });

export const createSavedView = async (
  services: Services,
  identity: RequestIdentity,
  input: TCreateSavedViewRequest,
  actor: AuditActor,
): Promise<TSavedView> => {
  const ownerId = identity.userId;
  if (ownerId === null) throw new AppError("forbidden", "Saved views belong to a member; API keys cannot create them.");
  if (input.shared && !hasPermission(identity, SHARED_PERMISSION)) throw forbidSharing("create");
  return withUniqueName(input.name, async () => {
    const { row, entry } = await services.db.transaction(async (tx) => {
      // One member's creates are serialised, so two at once cannot both pass the limit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`saved_views:${ownerId}`}, 0))`);
      const [existing] = await tx
        .select({
          count: sql<number>`count(*)`.mapWith(Number),
          nextPosition: sql<number>`coalesce(max(${savedViews.position}) + 1, 0)`.mapWith(Number),
        })
        .from(savedViews)
        .where(and(eq(savedViews.workspaceId, identity.workspaceId), eq(savedViews.ownerId, ownerId)));
      if ((existing?.count ?? 0) >= MAX_SAVED_VIEWS_PER_OWNER) {
        throw new AppError(
          "view_limit_reached",
          `You already have ${MAX_SAVED_VIEWS_PER_OWNER} saved views; delete one before saving another.`,
          { limit: MAX_SAVED_VIEWS_PER_OWNER },
        );
      }
      const [created] = await tx
        .insert(savedViews)
        .values({
          workspaceId: identity.workspaceId,
          ownerId,
          name: input.name,
          filter: input.filter,
          sort: input.sort,
          shared: input.shared,
          position: existing?.nextPosition ?? 0,
        })
        .returning();
      if (!created) throw new Error("saved view insert returned no row");
      const entry = await recordAudit(tx, {
        workspaceId: identity.workspaceId,
        actor,
        action: "saved_view.created",
        target: { type: "saved_view", id: created.id, label: created.name },
        after: audited(created),
      });
      return { row: created, entry };
    });
    publishAudit(services.realtime, identity.workspaceId, entry);
    return toDto(row, await ownerNameOf(services.db, row.ownerId), identity);
  });
};

export const updateSavedView = async (
  services: Services,
  identity: RequestIdentity,
  id: string,
  input: TUpdateSavedViewRequest,
  actor: AuditActor,
): Promise<TSavedView> =>
  withUniqueName(input.name, async () => {
    const { row, entry } = await services.db.transaction(async (tx) => {
      const before = await findVisibleView(tx, identity, id);
      assertMayChange(identity, before, "change");
      if (input.shared === true && !before.shared && !hasPermission(identity, SHARED_PERMISSION)) throw forbidSharing("share");
      const [after] = await tx
        .update(savedViews)
        .set({
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.filter === undefined ? {} : { filter: input.filter }),
          ...(input.sort === undefined ? {} : { sort: input.sort }),
          ...(input.shared === undefined ? {} : { shared: input.shared }),
          ...(input.position === undefined ? {} : { position: input.position }),
          updatedAt: new Date(),
        })
        .where(eq(savedViews.id, before.id))
        .returning();
      if (!after) throw new AppError("not_found", NOT_FOUND);
      const diff = changedFields(
        { ...audited(before), position: before.position },
        { ...audited(after), position: after.position },
      );
      const entry = diff
        ? await recordAudit(tx, {
            workspaceId: identity.workspaceId,
            actor,
            action: "saved_view.updated",
            target: { type: "saved_view", id: after.id, label: after.name },
            ...diff,
          })
        : null;
      return { row: after, entry };
    });
    if (entry) publishAudit(services.realtime, identity.workspaceId, entry);
    return toDto(row, await ownerNameOf(services.db, row.ownerId), identity);
  });

export const deleteSavedView = async (
  services: Services,
  identity: RequestIdentity,
  id: string,
  actor: AuditActor,
): Promise<void> => {
  const entry = await services.db.transaction(async (tx) => {
    const row = await findVisibleView(tx, identity, id);
    assertMayChange(identity, row, "delete");
    await tx.delete(savedViews).where(eq(savedViews.id, row.id));
    return recordAudit(tx, {
      workspaceId: identity.workspaceId,
      actor,
      action: "saved_view.deleted",
      target: { type: "saved_view", id: row.id, label: row.name },
      before: audited(row),
    });
  });
  publishAudit(services.realtime, identity.workspaceId, entry);
};

/**
 * Open and pending, not archived conversations per saved view, within what the caller may see:
 * one statement, one `count(*) filter (…)` per view, however many views there are.
 */
export const countSavedViews = async (db: DatabaseOrTransaction, identity: RequestIdentity): Promise<TSavedViewCounts> => {
  const views = await listSavedViews(db, identity);
  if (views.length === 0) return {};
  const columns = Object.fromEntries(
    views.map((view, index) => [
      `view${index}`,
      sql<number>`count(*) filter (where ${matchesFilterCondition(db, identity, view.filter)})`.mapWith(Number),
    ]),
  );
  const [row] = await db
    .select(columns)
    .from(conversations)
    .where(
      and(
        visibleConversationsCondition(db, identity),
        inArray(conversations.status, ["open", "pending"]),
        isNull(conversations.archivedAt),
      ),
    );
  return Object.fromEntries(views.map((view, index) => [view.id, Number(row?.[`view${index}`] ?? 0)]));
};
