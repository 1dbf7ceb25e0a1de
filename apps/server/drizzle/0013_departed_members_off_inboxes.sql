-- Members removed before removal took them off inboxes still appear on those inboxes' member lists.
DELETE FROM "inbox_members" AS "im"
WHERE NOT EXISTS (
  SELECT 1 FROM "memberships" AS "m" WHERE "m"."workspace_id" = "im"."workspace_id" AND "m"."user_id" = "im"."user_id"
);
