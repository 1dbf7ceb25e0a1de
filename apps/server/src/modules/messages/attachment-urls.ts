import type { AppServices } from "../../platform/services.ts";

export const ATTACHMENT_URL_TTL_SECONDS = 3_600;

/**
 * A signed, expiring link to an attachment (or its thumbnail): whoever holds it can download the
 * file until it expires, which is what lets the widget and channel platforms fetch media.
 */
export const signedAttachmentUrl = (
  services: Pick<AppServices, "config" | "secrets">,
  attachmentId: string,
  variant: "original" | "thumbnail" = "original",
): string => {
  const expiresAt = Math.floor(Date.now() / 1000) + ATTACHMENT_URL_TTL_SECONDS;
  const token = services.secrets.sign("attachment", { id: attachmentId, variant, exp: expiresAt });
  return `${services.config.publicUrl}/api/v1/attachments/${attachmentId}/download?token=${encodeURIComponent(token)}`;
};

/** The attachment id and variant a download token grants, or null when it is forged or expired. */
export const readAttachmentToken = (
  services: Pick<AppServices, "secrets">,
  token: string,
): { id: string; variant: "original" | "thumbnail" } | null => {
  const payload = services.secrets.verify("attachment", token);
  if (!payload || typeof payload.id !== "string" || typeof payload.exp !== "number") return null;
  if (payload.exp * 1000 < Date.now()) return null;
  return { id: payload.id, variant: payload.variant === "thumbnail" ? "thumbnail" : "original" };
};
