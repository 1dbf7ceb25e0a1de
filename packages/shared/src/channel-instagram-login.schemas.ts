import { z } from "zod";
import { ZMetaPageConnectInput } from "./channel-meta.schemas.ts";

/**
 * Instagram professional accounts without a Facebook page: "Instagram API with Instagram Login".
 * The admin signs in with Instagram, Parley keeps the account's long-lived token (refreshed before
 * its 60 days run out) and talks to graph.instagram.com with it.
 */

/** Connect with an Instagram User token: from Instagram Login, or generated in Meta's App Dashboard. */
export const ZInstagramLoginConnectInput = z.strictObject({
  mode: z.literal("instagram_login"),
  accessToken: z.string().min(20).max(2000),
  /** Seconds until the token expires, as Instagram reported it; unknown means Meta's 60 days. */
  expiresIn: z
    .number()
    .int()
    .positive()
    .max(400 * 24 * 3600)
    .optional(),
});
export type TInstagramLoginConnectInput = z.infer<typeof ZInstagramLoginConnectInput>;

/** An Instagram inbox connects through its Facebook page, or through Instagram Login. */
export const ZInstagramConnectInput = z.union([...ZMetaPageConnectInput.options, ZInstagramLoginConnectInput]);
export type TInstagramConnectInput = z.infer<typeof ZInstagramConnectInput>;

/** Whether this server has an Instagram app for Instagram Login (INSTAGRAM_APP_ID and its secret). */
export const ZInstagramLoginAvailability = z.object({ isConfigured: z.boolean() });
export type TInstagramLoginAvailability = z.infer<typeof ZInstagramLoginAvailability>;
