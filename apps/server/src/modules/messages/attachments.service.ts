import path from "node:path";
import type { TAttachment } from "@parley/shared";
import { eq } from "drizzle-orm";
import { fileTypeFromBuffer } from "file-type";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { newId } from "../../platform/ids.ts";
import { readImageMetadata, renderWebp } from "../../platform/images.ts";
import type { AppServices } from "../../platform/services.ts";
import type { FileStorage } from "../../platform/storage.ts";
import { signedAttachmentUrl } from "./attachment-urls.ts";
import { attachments } from "./messages.tables.ts";

export const THUMBNAIL_MAX_PX = 320;

/** Accepted types, as sniffed from the bytes, with the file name extensions that may go with them. */
const ALLOWED: Record<string, readonly string[]> = {
  "image/jpeg": ["jpg", "jpeg", "jfif"],
  "image/png": ["png"],
  "image/gif": ["gif"],
  "image/webp": ["webp"],
  "application/pdf": ["pdf"],
  "audio/mpeg": ["mp3", "mpeg", "mpga"],
  "audio/ogg": ["ogg", "oga", "opus"],
  "audio/opus": ["ogg", "oga", "opus"],
  "audio/wav": ["wav"],
  "audio/webm": ["webm", "weba"],
  "video/mp4": ["mp4", "m4v"],
  "video/webm": ["webm"],
  "application/zip": ["zip"],
  "text/plain": ["txt", "log", "md"],
  "text/csv": ["csv"],
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ["docx"],
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ["xlsx"],
};

const OFFICE_BY_EXTENSION: Record<string, string> = {
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export const isImageType = (contentType: string): boolean => contentType.startsWith("image/");

const extensionOf = (fileName: string): string => path.extname(fileName).slice(1).toLowerCase();

/** Valid UTF-8 without NUL or other binary control characters: plain text or CSV. */
const looksLikeText = (bytes: Buffer): boolean => {
  if (bytes.length === 0) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content is the point.
  return !/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(bytes.toString("utf8"));
};

/**
 * The content type of an upload, from its bytes. The file name's extension must agree with what
 * the bytes are; anything outside the allowlist is refused.
 */
export const sniffContentType = async (bytes: Buffer, fileName: string): Promise<string> => {
  const extension = extensionOf(fileName);
  const sniffed = await fileTypeFromBuffer(bytes);
  let contentType: string | undefined;
  if (sniffed) {
    const mime = sniffed.mime.split(";")[0]?.trim() ?? sniffed.mime;
    // Office documents are zip files; trust the extension only when the bytes are a zip.
    contentType = mime === "application/zip" && OFFICE_BY_EXTENSION[extension] ? OFFICE_BY_EXTENSION[extension] : mime;
    // A .webm with audio only sniffs as video/webm; both are allowed.
  } else if (looksLikeText(bytes)) {
    contentType =
      extension === "csv"
        ? "text/csv"
        : extension === "" || ALLOWED["text/plain"]?.includes(extension)
          ? "text/plain"
          : undefined;
  }
  const extensions = contentType ? ALLOWED[contentType] : undefined;
  if (!contentType || !extensions) {
    throw new AppError(
      "unsupported_media_type",
      "This kind of file cannot be sent: use an image, PDF, audio, video, text, CSV, zip or Office file.",
    );
  }
  if (extension !== "" && !extensions.includes(extension)) {
    throw new AppError("unsupported_media_type", `The file's name says .${extension} but its content is ${contentType}.`);
  }
  return contentType;
};

export type ScanVerdict = "clean" | "infected";

/**
 * The virus-scan hook: every upload passes through here before it is stored. Today it accepts
 * everything; plug a scanner (ClamAV over clamd, a cloud API) in here. `scan_status` records the
 * verdict; an asynchronous scanner would store "pending" and update it later.
 */
export const scanUpload = async (
  _bytes: Buffer,
  _meta: { fileName: string; contentType: string; workspaceId: string },
): Promise<ScanVerdict> => "clean";

/** A file name safe to store and to send back in content-disposition. */
export const cleanFileName = (name: string): string => {
  const base = path.basename(name.replaceAll("\\", "/"));
  const cleaned = [...base]
    .filter((char) => char !== '"' && (char.codePointAt(0) ?? 0) >= 0x20 && char !== "\u007f")
    .join("")
    .trim()
    .slice(0, 200);
  return cleaned === "" ? "file" : cleaned;
};

export type AttachmentRow = typeof attachments.$inferSelect;

export const toAttachmentDto = (services: Pick<AppServices, "config" | "secrets">, row: AttachmentRow): TAttachment => ({
  id: row.id,
  fileName: row.fileName,
  contentType: row.contentType,
  byteSize: row.byteSize,
  width: row.width,
  height: row.height,
  url: signedAttachmentUrl(services, row.id),
  thumbnailUrl: row.thumbnailKey ? signedAttachmentUrl(services, row.id, "thumbnail") : null,
});

/**
 * Stores an upload and records it, unattached: sending a message with its id attaches it (only
 * the uploader may). Images get their size and a WebP thumbnail (at most 320 px) beside them.
 */
export const storeUpload = async (
  services: Pick<AppServices, "config" | "secrets"> & { db: DatabaseOrTransaction },
  storage: FileStorage,
  input: {
    workspaceId: string;
    uploadedByType: "agent" | "contact";
    uploadedById: string;
    fileName: string;
    bytes: Buffer;
  },
): Promise<TAttachment> => {
  const fileName = cleanFileName(input.fileName);
  if (input.bytes.length === 0) throw new AppError("bad_request", "The file is empty.", undefined, { reason: "file_empty" });
  const contentType = await sniffContentType(input.bytes, fileName);
  const verdict = await scanUpload(input.bytes, { fileName, contentType, workspaceId: input.workspaceId });
  if (verdict === "infected") {
    throw new AppError("bad_request", "This file did not pass the virus scan and was not stored.", undefined, {
      reason: "file_infected",
    });
  }

  const id = newId();
  const storageKey = `${input.workspaceId}/${id}/original`;
  let width: number | null = null;
  let height: number | null = null;
  let thumbnail: Buffer | null = null;
  if (isImageType(contentType)) {
    try {
      const metadata = await readImageMetadata(input.bytes, 100_000_000);
      width = metadata.width ?? null;
      height = metadata.pageHeight ?? metadata.height ?? null;
      thumbnail = await renderWebp(input.bytes, { maxPx: THUMBNAIL_MAX_PX, fit: "inside", quality: 75 });
    } catch {
      throw new AppError("unsupported_media_type", "This image could not be read; it may be damaged.", undefined, {
        reason: "image_unreadable",
      });
    }
  }
  await storage.put(storageKey, input.bytes, contentType);
  const thumbnailKey = thumbnail ? `${input.workspaceId}/${id}/thumbnail.webp` : null;
  if (thumbnail && thumbnailKey) await storage.put(thumbnailKey, thumbnail, "image/webp");

  const [row] = await services.db
    .insert(attachments)
    .values({
      id,
      workspaceId: input.workspaceId,
      messageId: null,
      uploadedByType: input.uploadedByType,
      uploadedById: input.uploadedById,
      storageKey,
      fileName,
      contentType,
      byteSize: input.bytes.length,
      width,
      height,
      thumbnailKey,
      scanStatus: verdict,
    })
    .returning();
  if (!row) throw new Error("attachment insert returned no row");
  return toAttachmentDto(services, row);
};

export const findAttachment = async (db: DatabaseOrTransaction, id: string): Promise<AttachmentRow | null> => {
  const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
  return row ?? null;
};
