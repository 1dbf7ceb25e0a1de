ALTER TABLE "contacts" ADD COLUMN "is_anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Visitors registered before this: known only through website inboxes, never written, named, tagged or noted.
UPDATE "contacts" c SET "is_anonymous" = true
WHERE c."name" IS NULL AND c."email" IS NULL AND c."phone" IS NULL AND c."merged_into_id" IS NULL AND c."tags" = '{}'
  AND NOT EXISTS (SELECT 1 FROM "contact_notes" n WHERE n."contact_id" = c."id")
  AND NOT EXISTS (SELECT 1 FROM "conversations" v WHERE v."contact_id" = c."id")
  AND EXISTS (SELECT 1 FROM "contact_identities" i WHERE i."contact_id" = c."id")
  AND NOT EXISTS (
    SELECT 1 FROM "contact_identities" i JOIN "inboxes" b ON b."id" = i."inbox_id"
    WHERE i."contact_id" = c."id" AND (b."type" <> 'website' OR i."source_id" LIKE 'user:%')
  );--> statement-breakpoint
CREATE INDEX "contacts_workspace_people_idx" ON "contacts" USING btree ("workspace_id","id") WHERE "contacts"."is_anonymous" = false and "contacts"."merged_into_id" is null;
