import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Database } from "../../platform/db.ts";
import type { ClientContext, RequestIdentity } from "../../platform/identity.ts";
import { assertWorkspaceAdmits } from "../workspaces/workspace-admission.ts";
import { workspaces } from "../workspaces/workspaces.tables.ts";
import { apiKeys } from "./api-keys.tables.ts";

const KEY_PREFIX = "pk_";
const LAST_USED_RESOLUTION_MS = 60_000;

export const looksLikeApiKey = (token: string): boolean => token.startsWith(KEY_PREFIX) && token.length < 100;

export const hashApiKey = (key: string): string => createHash("sha256").update(key).digest("hex");

/** A new key and what is stored of it: the hash and a short prefix to recognise it in lists. */
export const newApiKey = (): { key: string; keyHash: string; prefix: string } => {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
};

export const authenticateApiKey = async (db: Database, key: string, client: ClientContext): Promise<RequestIdentity | null> => {
  const now = new Date();
  const [row] = await db
    .select({ key: apiKeys, suspendedAt: workspaces.suspendedAt, ipAllowlist: workspaces.ipAllowlist })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(
      and(
        eq(apiKeys.keyHash, hashApiKey(key)),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    );
  if (!row) return null;
  assertWorkspaceAdmits(row, client);
  const lastUsed = row.key.lastUsedAt?.getTime() ?? 0;
  if (now.getTime() - lastUsed > LAST_USED_RESOLUTION_MS || row.key.lastUsedIp !== client.ip) {
    await db.update(apiKeys).set({ lastUsedAt: now, lastUsedIp: client.ip }).where(eq(apiKeys.id, row.key.id));
  }
  return {
    kind: "api_key",
    workspaceId: row.key.workspaceId,
    userId: null,
    sessionId: null,
    apiKeyId: row.key.id,
    roleId: null,
    permissions: row.key.permissions,
    actorLabel: `API key "${row.key.name}"`,
    restriction: null,
    isPlatformAdmin: false,
  };
};
