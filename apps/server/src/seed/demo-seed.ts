import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { users } from "../modules/auth/auth.tables.ts";
import { hashPassword } from "../modules/auth/password.ts";
import { inboxes, inboxMembers } from "../modules/inboxes/inboxes.tables.ts";
import { createWorkspaceWithOwner } from "../modules/workspaces/workspaces.service.ts";
import type { Database } from "../platform/db.ts";

export const DEMO_EMAIL = "demo@parley.local";
const CREDENTIALS_FILE = "demo-login.json";

const ZDemoCredentials = z.object({ email: z.string(), password: z.string() });
export type DemoCredentials = z.infer<typeof ZDemoCredentials>;

/**
 * Creates the demo workspace and its owner once. The password is random per installation and kept
 * in the data folder (readable by its owner only) so every start can print it.
 */
export const seedDemo = async (
  db: Database,
  dataDir: string | undefined,
): Promise<{ credentials: DemoCredentials | undefined; isNew: boolean }> => {
  const [existing] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${DEMO_EMAIL}`);
  if (existing) return { credentials: await readDemoCredentials(dataDir), isNew: false };

  const credentials = { email: DEMO_EMAIL, password: randomBytes(9).toString("base64url") };
  const passwordHash = await hashPassword(credentials.password);
  await db.transaction(async (tx) => {
    const [owner] = await tx
      .insert(users)
      .values({ name: "Demo Owner", email: DEMO_EMAIL, passwordHash, passwordChangedAt: new Date(), emailVerifiedAt: new Date() })
      .returning();
    if (!owner) throw new Error("demo owner insert returned no row");
    const { workspace } = await createWorkspaceWithOwner(tx, { name: "Acme Demo", ownerId: owner.id });
    // The website inbox /demo embeds, so the widget works on the first start.
    const [website] = await tx
      .insert(inboxes)
      .values({
        workspaceId: workspace.id,
        type: "website",
        name: "Acme website",
        websiteToken: `wt_${randomBytes(18).toString("base64url")}`,
        greetingEnabled: true,
        greetingMessage: "Hi! Ask us anything about your order.",
      })
      .returning({ id: inboxes.id });
    if (website) await tx.insert(inboxMembers).values({ inboxId: website.id, userId: owner.id, workspaceId: workspace.id });
  });
  if (dataDir) await writeFile(path.join(dataDir, CREDENTIALS_FILE), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return { credentials, isNew: true };
};

const readDemoCredentials = async (dataDir: string | undefined): Promise<DemoCredentials | undefined> => {
  if (!dataDir) return undefined;
  const file = path.join(dataDir, CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = ZDemoCredentials.safeParse(JSON.parse(await readFile(file, "utf8")));
  return parsed.success ? parsed.data : undefined;
};

/** The website token of the demo workspace's first website inbox, for the /demo page. */
export const demoWebsiteToken = async (db: Database): Promise<string | null> => {
  const result = await db.execute<{ website_token: string }>(sql`
    select inboxes.website_token from inboxes
    join memberships on memberships.workspace_id = inboxes.workspace_id
    join users on users.id = memberships.user_id
    where lower(users.email) = ${DEMO_EMAIL} and inboxes.type = 'website' and inboxes.deleted_at is null
    order by inboxes.created_at limit 1`);
  return result.rows[0]?.website_token ?? null;
};
