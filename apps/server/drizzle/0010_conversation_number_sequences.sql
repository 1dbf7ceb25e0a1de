-- Conversation numbers (#1234) come from one sequence per workspace. nextval never waits for another
-- transaction, where the counter row stayed locked until the creating transaction committed, so a
-- workspace's new conversations were created one at a time. A creation that rolls back leaves a gap.
CREATE FUNCTION "conversation_number_sequence_name"(workspace_id uuid) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN 'conversation_numbers_' || replace(workspace_id::text, '-', '');
--> statement-breakpoint
-- A trigger rather than the application, so every way a workspace row appears gets its sequence.
CREATE FUNCTION "create_conversation_number_sequence"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE %I AS integer', conversation_number_sequence_name(NEW.id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "drop_conversation_number_sequence"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP SEQUENCE IF EXISTS %I', conversation_number_sequence_name(OLD.id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "workspaces_create_conversation_number_sequence" AFTER INSERT ON "workspaces"
  FOR EACH ROW EXECUTE FUNCTION create_conversation_number_sequence();
--> statement-breakpoint
CREATE TRIGGER "workspaces_drop_conversation_number_sequence" AFTER DELETE ON "workspaces"
  FOR EACH ROW EXECUTE FUNCTION drop_conversation_number_sequence();
--> statement-breakpoint
-- Existing workspaces continue after the highest number they handed out.
DO $$
DECLARE
  workspace record;
BEGIN
  FOR workspace IN
    SELECT w.id, greatest(
      coalesce((SELECT c.last_conversation_number FROM workspace_counters c WHERE c.workspace_id = w.id), 0),
      coalesce((SELECT max(v.number) FROM conversations v WHERE v.workspace_id = w.id), 0)
    ) AS last_number
    FROM workspaces w
  LOOP
    EXECUTE format('CREATE SEQUENCE %I AS integer START WITH %s',
      conversation_number_sequence_name(workspace.id), workspace.last_number + 1);
  END LOOP;
END
$$;
--> statement-breakpoint
DROP TABLE "workspace_counters" CASCADE;
