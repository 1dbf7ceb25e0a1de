import {
  type TMessage,
  type TMessagePage,
  type TSendMessageRequest,
  ZAttachment,
  ZErrorResponse,
  ZMessage,
  ZMessagePage,
  ZRenderedCannedResponse,
} from "@parley/shared";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest, apiSend, toApiError } from "../../../lib/api-client";

/** Where a history page starts: the newest messages, before/after a seq, or around a message (jump from search). */
export type MessagePageParam = { before?: number; after?: number; around?: string };

export type MessageHistory = InfiniteData<TMessagePage, MessagePageParam>;

export const messageKeys = {
  all: (conversationId: string) => ["conversations", "messages", conversationId] as const,
  /** `anchor` null is the live end of the conversation; a message id is a window opened around that message. */
  history: (conversationId: string, anchor: string | null) => ["conversations", "messages", conversationId, anchor] as const,
};

const PAGE_SIZE = 40;

export const fetchMessagePage = (conversationId: string, param: MessagePageParam, signal?: AbortSignal) =>
  apiRequest(`/conversations/${encodeURIComponent(conversationId)}/messages`, ZMessagePage, {
    query: { ...param, limit: PAGE_SIZE },
    signal,
  });

export type SendMessageInput = TSendMessageRequest;

export const sendMessageOverHttp = (conversationId: string, body: SendMessageInput) =>
  apiRequest(`/conversations/${encodeURIComponent(conversationId)}/messages`, ZMessage, { method: "POST", body });

const messagePath = (id: string, suffix = "") => `/messages/${encodeURIComponent(id)}${suffix}`;

/** Sends a reply the platform refused once more; its new status arrives as a message update. */
export const retryDelivery = (id: string) => apiSend(messagePath(id, "/retry"), { method: "POST" });

export const editMessage = (id: string, text: string) =>
  apiRequest(messagePath(id), ZMessage, { method: "PATCH", body: { text } });
export const deleteMessage = (id: string) => apiRequest(messagePath(id), ZMessage, { method: "DELETE" });
export const addReaction = (id: string, emoji: string) =>
  apiRequest(messagePath(id, `/reactions/${encodeURIComponent(emoji)}`), ZMessage, { method: "PUT" });
export const removeReaction = (id: string, emoji: string) =>
  apiRequest(messagePath(id, `/reactions/${encodeURIComponent(emoji)}`), ZMessage, { method: "DELETE" });

export const renderCannedResponse = (cannedId: string, conversationId: string) =>
  apiRequest(`/canned-responses/${encodeURIComponent(cannedId)}/render`, ZRenderedCannedResponse, {
    method: "POST",
    body: { conversationId },
  });

/** Uploads one file (multipart); its id then goes in a message's `attachmentIds`. */
export const uploadAttachment = async (file: File): Promise<ReturnType<typeof ZAttachment.parse>> => {
  const form = new FormData();
  form.append("file", file, file.name);
  let response: Response;
  try {
    response = await fetch("/api/v1/attachments", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json" },
      body: form,
    });
  } catch {
    throw new ApiError({ status: 0, code: "network_error", message: "The server could not be reached." });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ZErrorResponse.safeParse(body);
    if (error.success) throw toApiError(response.status, error.data.error);
    throw new ApiError({
      status: response.status,
      code: response.status === 413 ? "payload_too_large" : "internal_error",
      message: `The upload failed with ${response.status}.`,
    });
  }
  const parsed = ZAttachment.safeParse(body);
  if (!parsed.success)
    throw new ApiError({ status: response.status, code: "invalid_response", message: "Unexpected upload answer." });
  return parsed.data;
};

const upsertInto = (items: TMessage[], message: TMessage, isNew: boolean): TMessage[] => {
  const index = items.findIndex(
    (item) => item.id === message.id || (message.clientId !== null && item.clientId === message.clientId),
  );
  // A creation (the sender's ack, message.created) is a message's first state: it never overwrites a
  // stored copy that an update already reached — a refused delivery can outrun the sender's ack.
  if (index >= 0 && isNew && items[index]?.id === message.id) return items;
  if (index >= 0) return items.map((item, position) => (position === index ? message : item));
  // Commit order is seq order; a late event slots in where its seq belongs.
  const position = items.findIndex((item) => item.seq > message.seq);
  if (position < 0) return [...items, message];
  return [...items.slice(0, position), message, ...items.slice(position)];
};

/**
 * A stored message into every cached history window of its conversation: replaced where it is
 * shown already. A new one is added to windows that reach the live end (not to one opened on
 * older history), and so is a change to a message newer than all they show; a change to an older
 * message outside every window (a receipt on an old message) is left for when that part loads.
 */
export const applyMessage = (queryClient: QueryClient, message: TMessage, options: { isNew: boolean }): void => {
  // A window still loading answers with what the server had when the request left, which may predate
  // this message: it would drop the message (no data to add it to yet) or overwrite it. That request
  // is dropped and asked again (a plain refetch would join a first load still in flight).
  const queryKey = messageKeys.all(message.conversationId);
  const isLoading = queryClient
    .getQueryCache()
    .findAll({ queryKey })
    .some((query) => query.state.fetchStatus === "fetching");
  if (isLoading) void queryClient.cancelQueries({ queryKey }).then(() => queryClient.invalidateQueries({ queryKey }));
  for (const [key, data] of queryClient.getQueriesData<MessageHistory>({ queryKey })) {
    if (!data || data.pages.length === 0) continue;
    const isShown = data.pages.some((page) =>
      page.items.some((item) => item.id === message.id || (message.clientId !== null && item.clientId === message.clientId)),
    );
    const lastIndex = data.pages.length - 1;
    const lastPage = data.pages[lastIndex];
    const firstPage = data.pages[0];
    const oldestShownSeq = firstPage?.items[0]?.seq;
    const newestShownSeq = lastPage?.items.at(-1)?.seq;
    const isLiveWindow = !lastPage?.hasNewer;
    // An update to a message newer than everything a live window shows is one whose creation has not
    // arrived yet (a refused delivery can outrun the sender's ack): it goes in as if created.
    const belongsInWindow =
      isLiveWindow &&
      (options.isNew
        ? oldestShownSeq === undefined || message.seq > oldestShownSeq || !firstPage?.hasOlder
        : newestShownSeq !== undefined && message.seq > newestShownSeq);
    if (!isShown && !belongsInWindow) continue;
    queryClient.setQueryData<MessageHistory>(key, {
      ...data,
      pages: data.pages.map((page, index) => {
        const hasIt = page.items.some(
          (item) => item.id === message.id || (message.clientId !== null && item.clientId === message.clientId),
        );
        if (hasIt || (!isShown && index === lastIndex)) return { ...page, items: upsertInto(page.items, message, options.isNew) };
        return page;
      }),
    });
  }
};

/** Every message of a history window, oldest first. */
export const flattenHistory = (data: MessageHistory | undefined): TMessage[] => data?.pages.flatMap((page) => page.items) ?? [];
