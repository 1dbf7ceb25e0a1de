import type { TAuditEntry } from "@parley/shared";
import type { FastifyRequest } from "fastify";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { RequestIdentity } from "../../platform/identity.ts";
import { type RealtimePublisher, rooms } from "../../platform/realtime.ts";
import { auditLog } from "./audit.tables.ts";

export type AuditActor = {
  type: "user" | "api_key" | "system";
  id: string | null;
  label: string;
  ip: string | null;
  userAgent: string | null;
};

export type AuditInput = {
  workspaceId: string | null;
  actor: AuditActor;
  /** `<domain>.<verb>`, e.g. `workspace.updated`, `member.role_changed`. */
  action: string;
  target: { type: string; id: string | null; label?: string | null };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

export const SYSTEM_ACTOR: AuditActor = { type: "system", id: null, label: "Parley", ip: null, userAgent: null };

export const actorOf = (identity: RequestIdentity, request: Pick<FastifyRequest, "ip" | "headers">): AuditActor => ({
  type: identity.kind === "api_key" ? "api_key" : "user",
  id: identity.kind === "api_key" ? identity.apiKeyId : identity.userId,
  label: identity.actorLabel,
  ip: request.ip,
  userAgent: request.headers["user-agent"]?.slice(0, 512) ?? null,
});

/** The actor of a socket event: the socket's handshake stands in for the HTTP request. */
export const socketActorOf = (
  identity: RequestIdentity,
  socket: { handshake: { address: string; headers: Record<string, string | string[] | undefined> } },
): AuditActor => {
  const userAgent = socket.handshake.headers["user-agent"];
  return {
    type: identity.kind === "api_key" ? "api_key" : "user",
    id: identity.kind === "api_key" ? identity.apiKeyId : identity.userId,
    label: identity.actorLabel,
    ip: socket.handshake.address,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, 512) : null,
  };
};

/** An actor for flows where nobody is signed in yet (sign-up, password reset), known by email. */
export const anonymousActor = (
  label: string,
  request: Pick<FastifyRequest, "ip" | "headers">,
  userId: string | null = null,
): AuditActor => ({
  type: "user",
  id: userId,
  label,
  ip: request.ip,
  userAgent: request.headers["user-agent"]?.slice(0, 512) ?? null,
});

/** Only the fields that changed, so before/after stay minimal. */
export const changedFields = <T extends Record<string, unknown>>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T> } | null => {
  const keys = Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  if (keys.length === 0) return null;
  return {
    before: Object.fromEntries(keys.map((key) => [key, before[key]])) as Partial<T>,
    after: Object.fromEntries(keys.map((key) => [key, after[key]])) as Partial<T>,
  };
};

export const toAuditEntryDto = (row: typeof auditLog.$inferSelect): TAuditEntry => ({
  id: row.id,
  actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
  action: row.action,
  target: { type: row.targetType, id: row.targetId, label: row.targetLabel },
  before: row.before ?? null,
  after: row.after ?? null,
  ip: row.ip,
  userAgent: row.userAgent,
  createdAt: row.createdAt.toISOString(),
});

/** Writes an entry; pass the transaction making the change so both commit or neither does. */
export const recordAudit = async (db: DatabaseOrTransaction, input: AuditInput): Promise<TAuditEntry> => {
  const [row] = await db
    .insert(auditLog)
    .values({
      workspaceId: input.workspaceId,
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorLabel: input.actor.label,
      action: input.action,
      targetType: input.target.type,
      targetId: input.target.id,
      targetLabel: input.target.label ?? null,
      before: input.before ?? null,
      after: input.after ?? null,
      ip: input.actor.ip,
      userAgent: input.actor.userAgent,
    })
    .returning();
  if (!row) throw new Error("audit insert returned no row");
  return toAuditEntryDto(row);
};

/** Sends a committed entry to admins watching the live audit stream. Call after the transaction commits. */
export const publishAudit = (realtime: RealtimePublisher, workspaceId: string | null, entry: TAuditEntry): void => {
  if (workspaceId !== null) realtime.emitToAgents(rooms.audit(workspaceId), "audit.created", { entry });
};

/** Record and publish in one step, for changes made outside a transaction. */
export const audit = async (db: DatabaseOrTransaction, realtime: RealtimePublisher, input: AuditInput): Promise<TAuditEntry> => {
  const entry = await recordAudit(db, input);
  publishAudit(realtime, input.workspaceId, entry);
  return entry;
};
