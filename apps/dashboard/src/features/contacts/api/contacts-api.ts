import {
  type TContact,
  type TContactDetail,
  type TConversation,
  type TConversationPage,
  type TUpdateContactRequest,
  ZContact,
  ZContactDetail,
  ZContactNote,
  ZContactNoteList,
} from "@parley/shared";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { apiRequest, apiSend } from "../../../lib/api-client";
import { conversationKeys } from "../../inbox/api/conversations-api";

export const contactKeys = {
  detail: (id: string) => ["contacts", "detail", id] as const,
  notes: (id: string) => ["contacts", "notes", id] as const,
  visits: (id: string) => ["contacts", "visits", id] as const,
};

const contactPath = (id: string, suffix = "") => `/contacts/${encodeURIComponent(id)}${suffix}`;

export const fetchContact = (id: string, signal?: AbortSignal) => apiRequest(contactPath(id), ZContactDetail, { signal });
export const updateContact = (id: string, body: TUpdateContactRequest) =>
  apiRequest(contactPath(id), ZContact, { method: "PATCH", body });
export const setContactBlocked = (id: string, isBlocked: boolean) =>
  apiRequest(contactPath(id, isBlocked ? "/block" : "/unblock"), ZContact, { method: "POST" });

/** A changed contact into its cached detail and into every cached conversation that shows it. */
export const applyContact = (queryClient: QueryClient, contact: TContact) => {
  queryClient.setQueryData<TContactDetail>(contactKeys.detail(contact.id), (detail) =>
    detail ? { ...detail, ...contact } : detail,
  );
  const summary = {
    id: contact.id,
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    avatarUrl: contact.avatarUrl,
  };
  const withContact = (conversation: TConversation) =>
    conversation.contact.id === contact.id ? { ...conversation, contact: summary } : conversation;
  queryClient.setQueriesData<TConversation>({ queryKey: ["conversations", "detail"] }, (conversation) =>
    conversation ? withContact(conversation) : conversation,
  );
  queryClient.setQueriesData<InfiniteData<TConversationPage, string | null>>({ queryKey: conversationKeys.lists }, (data) =>
    data ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map(withContact) })) } : data,
  );
};

export const fetchContactNotes = (contactId: string, signal?: AbortSignal) =>
  apiRequest(contactPath(contactId, "/notes"), ZContactNoteList, { query: { limit: 50 }, signal });
export const createContactNote = (contactId: string, body: string) =>
  apiRequest(contactPath(contactId, "/notes"), ZContactNote, { method: "POST", body: { body } });
export const updateContactNote = (contactId: string, noteId: string, body: string) =>
  apiRequest(contactPath(contactId, `/notes/${encodeURIComponent(noteId)}`), ZContactNote, { method: "PATCH", body: { body } });
export const deleteContactNote = (contactId: string, noteId: string) =>
  apiSend(contactPath(contactId, `/notes/${encodeURIComponent(noteId)}`), { method: "DELETE" });
