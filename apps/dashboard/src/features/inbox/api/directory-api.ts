import { ZCannedResponseList, ZInboxList, ZLabelList, ZPresenceList, ZTeamList } from "@parley/shared";
import { apiRequest } from "../../../lib/api-client";

/** Workspace catalogues the inbox shows names from; they change rarely, so they stay cached longer. */
export const directoryKeys = {
  inboxes: ["inboxes", "list"] as const,
  teams: ["teams", "list"] as const,
  labels: ["labels", "list"] as const,
  presence: ["presence", "list"] as const,
  canned: ["canned-responses", "list"] as const,
};

export const fetchInboxes = (signal?: AbortSignal) => apiRequest("/inboxes", ZInboxList, { signal });
export const fetchTeams = (signal?: AbortSignal) => apiRequest("/teams", ZTeamList, { signal });
export const fetchLabels = (signal?: AbortSignal) => apiRequest("/labels", ZLabelList, { signal });
/** Every active member with their availability: also the dashboard's list of agent names for everyone. */
export const fetchPresence = (signal?: AbortSignal) => apiRequest("/presence", ZPresenceList, { signal });
export const fetchCannedResponses = (signal?: AbortSignal) => apiRequest("/canned-responses", ZCannedResponseList, { signal });
