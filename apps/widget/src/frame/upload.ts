import { type AckError, readRefusal } from "./connection.ts";
/**
 * Visitor uploads: checked here first so the visitor hears at once about a file that would be
 * refused, then sent with XMLHttpRequest, whose upload progress events fetch does not offer.
 */

/** The server's default MAX_UPLOAD_BYTES; the server still has the last word (413 with its own limit). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Extensions the server accepts (it sniffs the bytes too): images, PDF, audio, video, text, office, zip. */
const ACCEPTED_EXTENSIONS = new Set(
  "jpg jpeg jfif png gif webp pdf mp3 mpeg mpga ogg oga opus wav webm weba mp4 m4v zip txt log md csv docx xlsx".split(" "),
);
export const ACCEPT_ATTRIBUTE = [...ACCEPTED_EXTENSIONS].map((extension) => `.${extension}`).join(",");

export type UploadProblem = { kind: "too_big"; limitBytes: number } | { kind: "type" } | { kind: "empty" };

export const extensionOf = (fileName: string): string => {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
};

export const checkUpload = (file: { name: string; size: number }, limitBytes = MAX_UPLOAD_BYTES): UploadProblem | null => {
  if (file.size === 0) return { kind: "empty" };
  if (file.size > limitBytes) return { kind: "too_big", limitBytes };
  if (!ACCEPTED_EXTENSIONS.has(extensionOf(file.name))) return { kind: "type" };
  return null;
};

export const isImageFile = (fileName: string): boolean =>
  ["jpg", "jpeg", "jfif", "png", "gif", "webp"].includes(extensionOf(fileName));

/** "2.5 MB" in the visitor's language. */
export const formatBytes = (bytes: number, locale: string): string => {
  const [value, unit] =
    bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), "megabyte"] : bytes >= 1024 ? [bytes / 1024, "kilobyte"] : [bytes, "byte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
};

export type UploadedAttachment = { id: string; fileName: string; contentType: string; url: string; thumbnailUrl: string | null };

export type UploadResult = { ok: true; attachment: UploadedAttachment } | { ok: false; status: number; refusal: AckError | null };

const readAttachment = (value: unknown): UploadedAttachment | null => {
  if (typeof value !== "object" || value === null) return null;
  const [id, fileName, contentType, url, thumbnailUrl] = ["id", "fileName", "contentType", "url", "thumbnailUrl"].map(
    (key): unknown => Reflect.get(value, key),
  );
  if (typeof id !== "string" || typeof fileName !== "string" || typeof url !== "string") return null;
  return {
    id,
    fileName,
    contentType: typeof contentType === "string" ? contentType : "",
    url,
    thumbnailUrl: typeof thumbnailUrl === "string" ? thumbnailUrl : null,
  };
};

const readBodyRefusal = (body: string): AckError | null => {
  try {
    // Errors arrive as { error: { code, message, reason, details } }.
    const parsed: unknown = JSON.parse(body);
    return readRefusal(typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "error") : null);
  } catch {
    return null;
  }
};

/** POST /api/v1/widget/attachments with the visitor token; `onProgress` gets 0–100. */
export const uploadFile = (
  file: File,
  visitorToken: string,
  onProgress: (percent: number) => void,
): { promise: Promise<UploadResult>; abort: () => void } => {
  const request = new XMLHttpRequest();
  const promise = new Promise<UploadResult>((resolve) => {
    request.open("POST", "/api/v1/widget/attachments");
    request.setRequestHeader("authorization", `Visitor ${visitorToken}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => {
      if (request.status === 201) {
        const attachment = readAttachment(JSON.parse(request.responseText));
        if (attachment) return resolve({ ok: true, attachment });
      }
      resolve({ ok: false, status: request.status, refusal: readBodyRefusal(request.responseText) });
    };
    request.onerror = () => resolve({ ok: false, status: 0, refusal: null });
    request.onabort = () => resolve({ ok: false, status: -1, refusal: null });
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
  return { promise, abort: () => request.abort() };
};
