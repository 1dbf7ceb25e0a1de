import multipart from "@fastify/multipart";
import { ZAttachment, ZAttachmentDownloadParams, ZAttachmentDownloadQuery, ZErrorResponse } from "@parley/shared";
import { and, eq } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { storageFor } from "../../platform/storage.ts";
import { contacts } from "../contacts/contacts.tables.ts";
import { commitConversationChange } from "../conversations/commit-change.ts";
import { resolveContact } from "../conversations/start-conversation.ts";
import { authenticateVisitor } from "../widget/visitor-session.ts";
import { readAttachmentToken } from "./attachment-urls.ts";
import { isImageType, storeUpload } from "./attachments.service.ts";
import { attachments, messages } from "./messages.tables.ts";

const uploadErrors = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  413: ZErrorResponse,
  415: ZErrorResponse,
  429: ZErrorResponse,
};

const hasCode = (error: unknown, code: string): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === code;

/** The one file of a multipart upload, read into memory (at most `maxBytes`); the caller's plugin registers multipart. */
export const readUpload = async (request: FastifyRequest, maxBytes: number): Promise<{ fileName: string; bytes: Buffer }> => {
  if (!request.isMultipart()) throw new AppError("unsupported_media_type", "Send the file as multipart/form-data.");
  try {
    const file = await request.file();
    if (!file) throw new AppError("bad_request", 'Attach one file in the form field "file".');
    const bytes = await file.toBuffer();
    // The parser can settle before its size-limit event: a cut-off file is refused here too, never stored.
    if (file.file.truncated || bytes.length > maxBytes)
      throw Object.assign(new Error("file too large"), { code: "FST_REQ_FILE_TOO_LARGE" });
    return { fileName: file.filename, bytes };
  } catch (error) {
    if (hasCode(error, "FST_REQ_FILE_TOO_LARGE")) {
      throw new AppError("payload_too_large", `Files may be at most ${Math.floor(maxBytes / (1024 * 1024))} MB.`);
    }
    if (
      hasCode(error, "FST_INVALID_MULTIPART_CONTENT_TYPE") ||
      hasCode(error, "FST_PARTS_LIMIT") ||
      hasCode(error, "FST_FILES_LIMIT")
    ) {
      throw new AppError("bad_request", "Send exactly one file as multipart/form-data.");
    }
    throw error;
  }
};

const VISITOR_AUTHORIZATION = /^Visitor\s+(\S+)$/i;

const contentDisposition = (kind: "inline" | "attachment", fileName: string): string => {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
};

/** Uploads (agents and widget visitors) and signed downloads. */
export const attachmentsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.parley;
  const storage = storageFor(services.config);
  // Registered here only: multipart bodies are accepted by the upload routes and nowhere else.
  const maxBytes = services.config.maxUploadBytes;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, parts: 5, fields: 4 } });

  app.post("/attachments", {
    config: { access: "authenticated" },
    schema: {
      tags: ["attachments"],
      summary:
        "Upload one file (multipart/form-data, at most MAX_UPLOAD_BYTES, 25 MB by default); send its id in a message's attachmentIds",
      consumes: ["multipart/form-data"],
      response: { 201: ZAttachment, ...uploadErrors },
    },
    handler: async (request, reply) => {
      const identity = requireIdentity(request);
      if (identity.userId === null) throw new AppError("forbidden", "API keys cannot upload files yet; use a member's session.");
      const upload = await readUpload(request, maxBytes);
      const attachment = await storeUpload(services, storage, {
        workspaceId: identity.workspaceId,
        uploadedByType: "agent",
        uploadedById: identity.userId,
        ...upload,
      });
      return reply.status(201).send(attachment);
    },
  });

  app.post("/widget/attachments", {
    // Visitors have no session: the signed visitor token in `Authorization: Visitor <token>` is checked here.
    config: { access: "public", rateLimit: { max: 30, timeWindow: "1 minute" } },
    schema: {
      tags: ["widget"],
      summary: "A visitor uploads one file from the widget (Authorization: Visitor <token>)",
      consumes: ["multipart/form-data"],
      response: { 201: ZAttachment, ...uploadErrors },
    },
    handler: async (request, reply) => {
      const token = VISITOR_AUTHORIZATION.exec(request.headers.authorization ?? "")?.[1];
      const visitor = token ? await authenticateVisitor(services, { visitorToken: token }) : null;
      if (!visitor) throw new AppError("unauthorized", "Send the widget's visitor token as `Authorization: Visitor <token>`.");
      const upload = await readUpload(request, maxBytes);
      const contact = await commitConversationChange(services, async (tx) => {
        const resolved = await resolveContact(tx, {
          workspaceId: visitor.workspaceId,
          inboxId: visitor.inboxId,
          sourceId: visitor.visitorId,
          isAnonymous: true,
        });
        const [profile] = await tx
          .select({ blockedAt: contacts.blockedAt })
          .from(contacts)
          .where(eq(contacts.id, resolved.contactId));
        if (profile?.blockedAt) throw new AppError("forbidden", "This conversation is not accepting files.");
        return { result: resolved, events: resolved.events };
      });
      const attachment = await storeUpload(services, storage, {
        workspaceId: visitor.workspaceId,
        uploadedByType: "contact",
        uploadedById: contact.contactId,
        ...upload,
      });
      return reply.status(201).send(attachment);
    },
  });

  app.get("/attachments/:id/download", {
    // The signed, expiring token in the link is the permission (the widget and channels fetch media with it).
    config: { access: "public" },
    schema: {
      tags: ["attachments"],
      summary: "Download a file (or its thumbnail) with a signed link from a message",
      params: ZAttachmentDownloadParams,
      querystring: ZAttachmentDownloadQuery,
      response: { 200: z.unknown().describe("The file's bytes"), 403: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request, reply) => {
      const grant = readAttachmentToken(services, request.query.token);
      if (!grant || grant.id !== request.params.id) {
        throw new AppError("forbidden", "This download link is not valid or has expired; reopen the message for a fresh one.");
      }
      const [row] = await services.db
        .select({ attachment: attachments, messageDeletedAt: messages.deletedAt })
        .from(attachments)
        .leftJoin(messages, eq(messages.id, attachments.messageId))
        .where(and(eq(attachments.id, grant.id), eq(attachments.scanStatus, "clean")));
      if (!row || row.messageDeletedAt) throw new AppError("not_found", "This file is no longer available.");
      const { attachment } = row;
      const key = grant.variant === "thumbnail" ? attachment.thumbnailKey : attachment.storageKey;
      const file = key ? await storage.get(key) : null;
      if (!file) throw new AppError("not_found", "This file is no longer available.");
      const contentType = grant.variant === "thumbnail" ? "image/webp" : attachment.contentType;
      return reply
        .header("content-type", contentType)
        .header("content-length", String(file.byteSize))
        .header(
          "content-disposition",
          contentDisposition(isImageType(contentType) ? "inline" : "attachment", attachment.fileName),
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=3600")
        .send(file.body);
    },
  });
};
