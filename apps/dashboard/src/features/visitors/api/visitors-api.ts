import { type TMessage, type TVisitorVisit, ZMessage, ZVisitorsOnline, ZVisitorVisitList } from "@parley/shared";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { apiRequest, type ResponseSchema } from "../../../lib/api-client";

export type VisitorsOnline = ReturnType<typeof ZVisitorsOnline.parse>;
type VisitList = ReturnType<typeof ZVisitorVisitList.parse>;

export const visitorsOnlineQueryKey = ["visitors", "online"] as const;
export const visitKeys = { ofContact: (contactId: string) => ["contacts", "visits", contactId] as const };

export const fetchVisitorsOnline = (signal?: AbortSignal) => apiRequest("/visitors/online", ZVisitorsOnline, { signal });
export const fetchContactVisits = (contactId: string, signal?: AbortSignal) =>
  apiRequest(`/contacts/${encodeURIComponent(contactId)}/visits`, ZVisitorVisitList, { query: { limit: 10 }, signal });

const ZStartedChat: ResponseSchema<{ conversationId: string; message: TMessage }> = {
  safeParse: (data: unknown) => {
    if (typeof data !== "object" || data === null) return { success: false };
    const conversationId: unknown = Reflect.get(data, "conversationId");
    const message = ZMessage.safeParse(Reflect.get(data, "message"));
    if (typeof conversationId !== "string" || !message.success) return { success: false };
    return { success: true, data: { conversationId, message: message.data } };
  },
};

export const startChatWithVisitor = (contactId: string, body: { message: string; inboxId?: string }) =>
  apiRequest(`/visitors/${encodeURIComponent(contactId)}/conversations`, ZStartedChat, { method: "POST", body });

/** Kept fresh by `visitors.online` and `visitor.updated` events. */
export const useVisitorsOnline = () =>
  useQuery({
    queryKey: visitorsOnlineQueryKey,
    queryFn: ({ signal }) => fetchVisitorsOnline(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });

export const useContactVisits = (contactId: string, isEnabled: boolean) =>
  useQuery({
    queryKey: visitKeys.ofContact(contactId),
    queryFn: ({ signal }) => fetchContactVisits(contactId, signal),
    enabled: isEnabled,
    staleTime: Number.POSITIVE_INFINITY,
  });

/** The count per inbox changed: someone arrived or left, so who is online is asked again (once per burst). */
export const applyVisitorsOnline = (queryClient: QueryClient, event: { inboxId: string; visitors: number }) => {
  const data = queryClient.getQueryData<VisitorsOnline>(visitorsOnlineQueryKey);
  if (!data) return;
  const items = data.items.map((item) => (item.inboxId === event.inboxId ? { ...item, visitors: event.visitors } : item));
  queryClient.setQueryData<VisitorsOnline>(visitorsOnlineQueryKey, {
    ...data,
    items,
    total: items.reduce((sum, item) => sum + item.visitors, 0),
  });
  const listed = data.visitors.filter((visitor) => visitor.inboxId === event.inboxId).length;
  if (listed !== event.visitors) void queryClient.invalidateQueries({ queryKey: visitorsOnlineQueryKey });
};

/** A visitor moved to another page or told us more: the monitor row and the contact's visits follow. */
export const applyVisitorUpdate = (
  queryClient: QueryClient,
  event: { inboxId: string; visitorId: string; contactId: string; visit: TVisitorVisit | null },
) => {
  const { visit } = event;
  queryClient.setQueryData<VisitorsOnline>(visitorsOnlineQueryKey, (data) => {
    if (!data) return data;
    const isListed = data.visitors.some((visitor) => visitor.visitorId === event.visitorId && visitor.inboxId === event.inboxId);
    if (!isListed) {
      void queryClient.invalidateQueries({ queryKey: visitorsOnlineQueryKey });
      return data;
    }
    return {
      ...data,
      visitors: data.visitors.map((visitor) =>
        visitor.visitorId === event.visitorId && visitor.inboxId === event.inboxId ? { ...visitor, visit } : visitor,
      ),
    };
  });
  if (!visit) return;
  queryClient.setQueryData<VisitList>(visitKeys.ofContact(event.contactId), (data) => {
    if (!data) return data;
    const isKnown = data.items.some((item) => item.id === visit.id);
    return { ...data, items: isKnown ? data.items.map((item) => (item.id === visit.id ? visit : item)) : [visit, ...data.items] };
  });
};
