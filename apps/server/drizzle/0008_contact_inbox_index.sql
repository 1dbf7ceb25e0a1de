DROP INDEX "conversations_contact_idx";--> statement-breakpoint
CREATE INDEX "conversations_contact_inbox_idx" ON "conversations" USING btree ("contact_id","inbox_id","created_at");