import { z } from "zod";
import { zPlainText } from "./text.schemas.ts";

/** A search box value: empty means no filter. */
const ZSearchText = z
  .string()
  .trim()
  .max(200, { message: "Use at most 200 characters." })
  .refine((value) => !value.includes("\u0000"), { message: "Remove the NUL character from this text." });

export const ZPlatformListQuery = z.strictObject({
  search: ZSearchText.optional(),
  cursor: z.uuid({ message: "use the nextCursor value from the previous page" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TPlatformListQuery = z.infer<typeof ZPlatformListQuery>;

export const ZPlatformWorkspace = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  createdAt: z.iso.datetime(),
  memberCount: z.number().int(),
  isSuspended: z.boolean(),
  suspendedAt: z.iso.datetime().nullable(),
  suspendedReason: z.string().nullable(),
});
export type TPlatformWorkspace = z.infer<typeof ZPlatformWorkspace>;

export const ZPlatformWorkspacePage = z.object({
  items: z.array(ZPlatformWorkspace),
  nextCursor: z.string().nullable(),
});
export type TPlatformWorkspacePage = z.infer<typeof ZPlatformWorkspacePage>;

export const ZPlatformUser = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  isPlatformAdmin: z.boolean(),
  workspaceCount: z.number().int(),
  lastLoginAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TPlatformUser = z.infer<typeof ZPlatformUser>;

export const ZPlatformUserPage = z.object({
  items: z.array(ZPlatformUser),
  nextCursor: z.string().nullable(),
});
export type TPlatformUserPage = z.infer<typeof ZPlatformUserPage>;

export const ZSuspendWorkspaceRequest = z.strictObject({
  reason: zPlainText({ max: 500, emptyMessage: "Say why the workspace is suspended." }),
});
export type TSuspendWorkspaceRequest = z.infer<typeof ZSuspendWorkspaceRequest>;
