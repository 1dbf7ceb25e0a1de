import multipart from "@fastify/multipart";
import { ZErrorResponse, ZUser } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireMember } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { storageFor } from "../../platform/storage.ts";
import { actorOf } from "../audit/audit.service.ts";
import { readUpload } from "../messages/attachments.routes.ts";
import { AVATAR_FILE_PATTERN } from "./avatar-urls.ts";
import { AVATAR_MAX_BYTES, readAvatar, removeAvatar, setAvatar } from "./profile-avatar.service.ts";

const ZAvatarParams = z.strictObject({
  userId: z.uuid({ message: "must be a user id" }),
  file: z.string().regex(AVATAR_FILE_PATTERN, { message: "Use the avatarUrl the API gave you." }),
});

const notFound = () => new AppError("not_found", "No profile picture here; it may have been replaced or removed.");

/** The signed-in member's profile picture, and the public URLs that show it to colleagues and visitors. */
export const profileAvatarRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const storage = storageFor(services.config);
  // Registered in this plugin only, like the attachment uploads: no other route accepts multipart.
  await app.register(multipart, { limits: { fileSize: AVATAR_MAX_BYTES, files: 1, parts: 5, fields: 4 } });

  app.put("/me/avatar", {
    config: { access: "authenticated", rateLimit: { max: 30, timeWindow: "1 minute" } },
    schema: {
      tags: ["account"],
      summary:
        "Set your profile picture: one PNG, JPEG, WebP or GIF (multipart field `file`, at most 5 MB), shown as a 256 px square",
      consumes: ["multipart/form-data"],
      response: {
        200: ZUser,
        400: ZErrorResponse,
        401: ZErrorResponse,
        403: ZErrorResponse,
        413: ZErrorResponse,
        415: ZErrorResponse,
        429: ZErrorResponse,
      },
    },
    handler: async (request) => {
      const member = requireMember(request);
      const upload = await readUpload(request, AVATAR_MAX_BYTES);
      return setAvatar(services, storage, member, upload, actorOf(member, request));
    },
  });

  app.delete("/me/avatar", {
    config: { access: "authenticated" },
    schema: {
      tags: ["account"],
      summary: "Remove your profile picture; your initials show instead",
      response: { 200: ZUser, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const member = requireMember(request);
      return removeAvatar(services, storage, member, actorOf(member, request));
    },
  });

  app.get("/avatars/:userId/:file", {
    // Website visitors see agents' pictures without a session; the random file name is what keeps them unlisted.
    config: { access: "public" },
    schema: {
      tags: ["account"],
      summary: "A member's profile picture (the avatarUrl of a user); a new picture gets a new URL",
      params: ZAvatarParams,
      response: { 200: z.unknown().describe("The picture as WebP"), 400: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const file = await readAvatar(services.db, storage, request.params.userId, request.params.file);
      if (!file) throw notFound();
      return reply
        .header("content-type", "image/webp")
        .header("content-length", String(file.byteSize))
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(file.body);
    },
  });
};
