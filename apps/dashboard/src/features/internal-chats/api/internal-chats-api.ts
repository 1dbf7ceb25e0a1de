import {
  type TInternalChat,
  type TInternalMessage,
  ZInternalChat,
  ZInternalChatList,
  ZInternalMessage,
  ZInternalMessagePage,
  ZInternalReadState,
} from "@parley/shared";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";

export const internalChatKeys = {
  list: ["internal-chats", "list"] as const,
  messages: (chatId: string) => ["internal-chats", "messages", chatId] as const,
};

type ChatList = { items: TInternalChat[] };
type MessagePages = InfiniteData<{ items: TInternalMessage[]; hasOlder: boolean }, number | null>;

const chatPath = (id: string, suffix = "") => `/internal-chats/${encodeURIComponent(id)}${suffix}`;

export const fetchInternalChats = (signal?: AbortSignal) => apiRequest("/internal-chats", ZInternalChatList, { signal });
export const openDirectChat = (userId: string) =>
  apiRequest("/internal-chats/direct", ZInternalChat, { method: "POST", body: { userId } });
export const openTeamChat = (teamId: string) =>
  apiRequest("/internal-chats/team", ZInternalChat, { method: "POST", body: { teamId } });
export const fetchInternalMessages = (chatId: string, before: number | null, signal?: AbortSignal) =>
  apiRequest(chatPath(chatId, "/messages"), ZInternalMessagePage, { query: { before: before ?? undefined, limit: 50 }, signal });
export const sendInternalMessage = (chatId: string, body: { clientId: string; text: string }) =>
  apiRequest(chatPath(chatId, "/messages"), ZInternalMessage, { method: "POST", body });
export const markInternalChatRead = (chatId: string, upToSeq: number) =>
  apiRequest(chatPath(chatId, "/read"), ZInternalReadState, { method: "POST", body: { upToSeq } });

/** A new internal message into its chat's history and the chat list (last message, unread count). */
export const applyInternalMessage = (
  queryClient: QueryClient,
  message: TInternalMessage,
  options: { userId: string; isOpenHere: boolean },
) => {
  queryClient.setQueryData<MessagePages>(internalChatKeys.messages(message.channelId), (data) => {
    if (!data || data.pages.length === 0) return data;
    if (data.pages.some((page) => page.items.some((item) => item.id === message.id))) return data;
    // Pages are fetched newest first (each older page after), so the newest page is the first one.
    const [newest, ...older] = data.pages;
    if (!newest) return data;
    return { ...data, pages: [{ ...newest, items: [...newest.items, message] }, ...older] };
  });
  let isKnown = false;
  queryClient.setQueryData<ChatList>(internalChatKeys.list, (list) => {
    if (!list) return list;
    const items = list.items.map((chat) => {
      if (chat.id !== message.channelId) return chat;
      isKnown = true;
      const isFromOther = message.senderId !== options.userId;
      return {
        ...chat,
        lastMessage: message,
        unreadCount: isFromOther && !options.isOpenHere ? chat.unreadCount + 1 : chat.unreadCount,
      };
    });
    return { items };
  });
  // A chat someone else just started with this member: the list has to learn about it.
  if (!isKnown) void queryClient.invalidateQueries({ queryKey: internalChatKeys.list });
};
