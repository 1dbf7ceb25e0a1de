import { ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import { storageFor } from "../../platform/storage.ts";
import { CONTACT_AVATAR_FILE_PATTERN, readContactAvatar } from "./contact-avatars.ts";

const ZContactAvatarParams = z.strictObject({
  contactId: z.uuid({ message: "must be a contact id" }),
  file: z.string().regex(CONTACT_AVATAR_FILE_PATTERN, { message: "Use the avatarUrl the API gave you." }),
});

/** Contacts' pictures copied from platforms that do not give a public link (Telegram). */
export const contactAvatarsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const storage = storageFor(services.config);

  app.get("/contact-avatars/:contactId/:file", {
    // An <img> carries no bearer token; the random file name keeps the picture unlisted. Private: no shared cache keeps it.
    config: { access: "public" },
    schema: {
      tags: ["contacts"],
      summary: "A contact's profile picture copied from their platform (the contact's avatarUrl)",
      params: ZContactAvatarParams,
      response: { 200: z.unknown().describe("The picture as WebP"), 400: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const file = await readContactAvatar(services.db, storage, request.params.contactId, request.params.file);
      if (!file) throw new AppError("not_found", "No picture here; the contact may show another one now.");
      return reply
        .header("content-type", "image/webp")
        .header("content-length", String(file.byteSize))
        .header("cache-control", "private, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(file.body);
    },
  });
};
