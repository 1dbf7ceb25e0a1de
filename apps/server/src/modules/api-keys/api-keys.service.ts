import type { Permission, TApiKey, TApiKeyPage, TCreateApiKeyRequest, TCreatedApiKey } from "@parley/shared";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import type { RealtimePublisher } from "../../platform/realtime.ts";
import { type AuditActor, publishAudit, recordAudit } from "../audit/audit.service.ts";
import { users } from "../auth/auth.tables.ts";
import { newApiKey } from "./api-key-auth.ts";
import { apiKeys } from "./api-keys.tables.ts";

type ApiKeyRow = typeof apiKeys.$inferSelect;
type CreatorRow = { id: string; name: string; email: string } | null;

const statusOf = (row: ApiKeyRow, now: Date): TApiKey["status"] => {
  if (row.revokedAt !== null) return "revoked";
  if (row.expiresAt !== null && row.expiresAt <= now) return "expired";
  return "active";
};

const toApiKeyDto = (row: ApiKeyRow, creator: CreatorRow, now = new Date()): TApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  permissions: row.permissions,
  createdBy: creator,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  lastUsedIp: row.lastUsedIp,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  status: statusOf(row, now),
});

const creatorColumns = { id: users.id, name: users.name, email: users.email };

/**
 * Creates a key for the workspace. A key can never do more than the member who made it, so a
 * member cannot use a key to grant themselves permissions their role lacks.
 */
export const createApiKey = async (
  db: Database,
  realtime: RealtimePublisher,
  input: {
    workspaceId: string;
    creator: { userId: string; permissions: readonly Permission[] };
    request: TCreateApiKeyRequest;
    actor: AuditActor;
  },
): Promise<TCreatedApiKey> => {
  const missing = input.request.permissions.filter((permission) => !input.creator.permissions.includes(permission));
  if (missing.length > 0) {
    throw new AppError(
      "forbidden",
      `A key cannot have permissions you do not have yourself: ${missing.join(", ")}.`,
      { permissions: missing },
      { reason: "permissions_not_held", params: { permissions: missing.join(", ") } },
    );
  }
  const generated = newApiKey();
  const { row, creator, entry } = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        workspaceId: input.workspaceId,
        name: input.request.name,
        prefix: generated.prefix,
        keyHash: generated.keyHash,
        permissions: input.request.permissions,
        createdByUserId: input.creator.userId,
        expiresAt: input.request.expiresAt ? new Date(input.request.expiresAt) : null,
      })
      .returning();
    if (!row) throw new Error("api key insert returned no row");
    const [creator] = await tx.select(creatorColumns).from(users).where(eq(users.id, input.creator.userId));
    const entry = await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "api_key.created",
      target: { type: "api_key", id: row.id, label: row.name },
      after: {
        name: row.name,
        prefix: row.prefix,
        permissions: row.permissions,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    });
    return { row, creator: creator ?? null, entry };
  });
  publishAudit(realtime, input.workspaceId, entry);
  return { apiKey: toApiKeyDto(row, creator), key: generated.key };
};

/** Every key of the workspace, newest first, revoked and expired ones included; the id (UUIDv7) is the cursor. */
export const listApiKeys = async (
  db: Database,
  workspaceId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<TApiKeyPage> => {
  const rows = await db
    .select({ key: apiKeys, creator: creatorColumns })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .where(and(eq(apiKeys.workspaceId, workspaceId), page.cursor ? lt(apiKeys.id, page.cursor) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(page.limit + 1);
  const now = new Date();
  const items = rows.slice(0, page.limit).map((row) => toApiKeyDto(row.key, row.creator, now));
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
};

/** Revokes at once: requests with the key fail from now on and its open sockets are closed. Revoking twice changes nothing. */
export const revokeApiKey = async (
  db: Database,
  realtime: RealtimePublisher,
  input: { workspaceId: string; apiKeyId: string; actor: AuditActor },
): Promise<TApiKey> => {
  const { row, entry } = await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, input.apiKeyId), eq(apiKeys.workspaceId, input.workspaceId)))
      .for("update");
    if (!current) throw new AppError("not_found", "No API key with this id in your workspace.");
    if (current.revokedAt !== null) return { row: current, entry: null };
    const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, current.id)).returning();
    if (!revoked) throw new AppError("not_found", "No API key with this id in your workspace.");
    const entry = await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "api_key.revoked",
      target: { type: "api_key", id: revoked.id, label: revoked.name },
      before: { revokedAt: null },
      after: { revokedAt: revoked.revokedAt?.toISOString() ?? null },
    });
    return { row: revoked, entry };
  });
  if (entry) {
    realtime.disconnectApiKey(row.id);
    publishAudit(realtime, input.workspaceId, entry);
  }
  const [creator] = row.createdByUserId
    ? await db.select(creatorColumns).from(users).where(eq(users.id, row.createdByUserId))
    : [];
  return toApiKeyDto(row, creator ?? null);
};
