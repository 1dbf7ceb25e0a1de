import type { TAttachment } from "@parley/shared";
import { useCallback, useState } from "react";
import { uploadAttachment } from "../api/messages-api";

export type DraftAttachment = {
  key: string;
  file: File;
  state: "uploading" | "done" | "failed";
  attachment?: TAttachment;
  error?: unknown;
};

const MAX_ATTACHMENTS = 10;

/** Files chosen, dropped or pasted into the composer, uploaded as soon as they are added. */
export const useDraftAttachments = () => {
  const [items, setItems] = useState<DraftAttachment[]>([]);

  const add = useCallback((files: Iterable<File>) => {
    const added = [...files].map((file, index) => ({
      key: `${Date.now()}-${index}-${file.name}`,
      file,
      state: "uploading" as const,
    }));
    setItems((previous) => [...previous, ...added].slice(0, MAX_ATTACHMENTS));
    for (const item of added) {
      uploadAttachment(item.file).then(
        (attachment) =>
          setItems((previous) =>
            previous.map((entry) => (entry.key === item.key ? { ...entry, state: "done", attachment } : entry)),
          ),
        (error: unknown) =>
          setItems((previous) =>
            previous.map((entry) => (entry.key === item.key ? { ...entry, state: "failed", error } : entry)),
          ),
      );
    }
  }, []);

  const remove = useCallback((key: string) => setItems((previous) => previous.filter((entry) => entry.key !== key)), []);
  const clear = useCallback(() => setItems([]), []);

  const ids = items.flatMap((item) => (item.attachment ? [item.attachment.id] : []));
  const isUploading = items.some((item) => item.state === "uploading");
  return { items, ids, isUploading, add, remove, clear };
};
