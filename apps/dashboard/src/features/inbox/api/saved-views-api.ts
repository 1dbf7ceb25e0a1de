import {
  type TCreateSavedViewRequest,
  type TUpdateSavedViewRequest,
  ZSavedView,
  ZSavedViewCounts,
  ZSavedViewList,
} from "@parley/shared";
import { apiRequest, apiSend } from "../../../lib/api-client";

export const savedViewKeys = {
  all: ["saved-views"] as const,
  list: ["saved-views", "list"] as const,
  /** Per view for this member; refreshed on the same conversation events as the built-in views' counts. */
  counts: ["saved-views", "counts"] as const,
};

/** What creating a view sends: the server fills the defaults (sort, sharing) the same way. */
export type SavedViewInput = Pick<TCreateSavedViewRequest, "name" | "filter" | "sort"> & { shared?: boolean };

const viewPath = (id: string) => `/saved-views/${encodeURIComponent(id)}`;

export const fetchSavedViews = (signal?: AbortSignal) => apiRequest("/saved-views", ZSavedViewList, { signal });
export const fetchSavedViewCounts = (signal?: AbortSignal) => apiRequest("/saved-views/counts", ZSavedViewCounts, { signal });
export const createSavedView = (body: SavedViewInput) => apiRequest("/saved-views", ZSavedView, { method: "POST", body });
export const updateSavedView = (id: string, body: TUpdateSavedViewRequest) =>
  apiRequest(viewPath(id), ZSavedView, { method: "PATCH", body });
export const deleteSavedView = (id: string) => apiSend(viewPath(id), { method: "DELETE" });
