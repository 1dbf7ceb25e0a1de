-- Built-in roles store their permissions per workspace: workspaces created before shared views
-- give the new permission to their owners and admins, as new workspaces do.
UPDATE "roles" SET "permissions" = array_append("permissions", 'views.manage_shared')
WHERE "key" IN ('owner', 'admin') AND NOT ('views.manage_shared' = ANY("permissions"));
