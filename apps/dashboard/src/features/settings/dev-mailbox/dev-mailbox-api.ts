import { type InfiniteData, useInfiniteQuery } from "@tanstack/react-query";
import { apiRequest, type ResponseSchema } from "../../../lib/api-client";

export type DevMail = { id: string; to: string; subject: string; text: string; html: string; createdAt: string };
export type DevMailboxPage = { isEnabled: boolean; items: DevMail[]; nextCursor: string | null };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isDevMail = (value: unknown): value is DevMail =>
  isRecord(value) && ["id", "to", "subject", "text", "html", "createdAt"].every((key) => typeof value[key] === "string");

/** The server declares this page's shape next to its route (not in the shared package), so it is checked here. */
const DevMailboxPageSchema: ResponseSchema<DevMailboxPage> = {
  safeParse: (data) => {
    if (!isRecord(data) || typeof data.isEnabled !== "boolean" || !Array.isArray(data.items)) return { success: false };
    if (!(typeof data.nextCursor === "string" || data.nextCursor === null)) return { success: false };
    if (!data.items.every(isDevMail)) return { success: false };
    return {
      success: true,
      data: { isEnabled: data.isEnabled, items: data.items.filter(isDevMail), nextCursor: data.nextCursor },
    };
  },
};

export const devMailboxQueryKey = ["settings", "dev-mailbox"] as const;

export const useDevMailbox = () =>
  useInfiniteQuery<DevMailboxPage, Error, InfiniteData<DevMailboxPage, string | null>, typeof devMailboxQueryKey, string | null>({
    queryKey: devMailboxQueryKey,
    queryFn: ({ pageParam, signal }) =>
      apiRequest("/dev-mailbox", DevMailboxPageSchema, { query: { cursor: pageParam ?? undefined, limit: 25 }, signal }),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
