import { z } from "zod";
import { PERMISSION_NAMES, type Permission } from "./permissions.ts";
import { zPlainText } from "./text.schemas.ts";

const ZKeyPermission = z.enum(PERMISSION_NAMES as [Permission, ...Permission[]], {
  message: "Use permission names from the permission catalogue.",
});

export const ZCreateApiKeyRequest = z.strictObject({
  name: zPlainText({ max: 100, emptyMessage: "Name the key after what will use it." }),
  permissions: z
    .array(ZKeyPermission)
    .min(1, { message: "Give the key at least one permission." })
    .max(PERMISSION_NAMES.length)
    .refine((permissions) => new Set(permissions).size === permissions.length, { message: "List each permission once." }),
  /** Optional; when set it must lie in the future. */
  expiresAt: z.iso
    .datetime({ offset: true, message: "Use an ISO 8601 date and time, e.g. 2030-01-31T00:00:00Z." })
    .refine((value) => Date.parse(value) > Date.now(), { message: "Choose an expiry date in the future." })
    .optional(),
});
export type TCreateApiKeyRequest = z.infer<typeof ZCreateApiKeyRequest>;

export const ZApiKeyStatus = z.enum(["active", "expired", "revoked"]);
export type TApiKeyStatus = z.infer<typeof ZApiKeyStatus>;

/** A key as lists show it: never the key itself, only its first characters. */
export const ZApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  permissions: z.array(ZKeyPermission),
  createdBy: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  status: ZApiKeyStatus,
});
export type TApiKey = z.infer<typeof ZApiKey>;

/** The answer to creating a key: the only time the full key is shown. */
export const ZCreatedApiKey = z.object({
  apiKey: ZApiKey,
  key: z.string().describe("The secret key. Store it now: Parley keeps only its hash and cannot show it again."),
});
export type TCreatedApiKey = z.infer<typeof ZCreatedApiKey>;

export const ZApiKeyPage = z.object({
  items: z.array(ZApiKey),
  nextCursor: z.string().nullable(),
});
export type TApiKeyPage = z.infer<typeof ZApiKeyPage>;
