import { type TAgentPresence, type TSetPresenceRequest, ZAgentPresence } from "@parley/shared";
import type { QueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";
import { directoryKeys } from "../../inbox/api/directory-api";

export const setMyPresence = (body: TSetPresenceRequest) => apiRequest("/me/presence", ZAgentPresence, { method: "PUT", body });

export const applyPresence = (queryClient: QueryClient, presence: TAgentPresence) => {
  queryClient.setQueryData<{ items: TAgentPresence[] }>(directoryKeys.presence, (data) => {
    if (!data) return { items: [presence] };
    const isKnown = data.items.some((item) => item.userId === presence.userId);
    return {
      items: isKnown ? data.items.map((item) => (item.userId === presence.userId ? presence : item)) : [...data.items, presence],
    };
  });
};
