import type { TSavedView, TUpdateSavedViewRequest } from "@parley/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createSavedView,
  deleteSavedView,
  fetchSavedViewCounts,
  fetchSavedViews,
  type SavedViewInput,
  savedViewKeys,
  updateSavedView,
} from "../api/saved-views-api";

/** Others change shared views rarely; a minute's staleness (and a refetch on focus) is enough. */
const SAVED_VIEWS_STALE_MS = 60_000;

export const useSavedViews = () =>
  useQuery({ queryKey: savedViewKeys.list, queryFn: ({ signal }) => fetchSavedViews(signal), staleTime: SAVED_VIEWS_STALE_MS });

/** Kept current by conversation events (see apply-agent-events), like the built-in views' counts. */
export const useSavedViewCounts = () =>
  useQuery({
    queryKey: savedViewKeys.counts,
    queryFn: ({ signal }) => fetchSavedViewCounts(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });

type SavedViewList = { items: TSavedView[] };

const sortViews = (items: TSavedView[]) =>
  [...items].sort(
    (a, b) => a.position - b.position || a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id.localeCompare(b.id),
  );

/** The server's answer goes straight into the cached list; counts are asked again since the filter may have changed. */
const useStoreView = () => {
  const queryClient = useQueryClient();
  return (view: TSavedView) => {
    queryClient.setQueryData<SavedViewList>(savedViewKeys.list, (data) =>
      data ? { items: sortViews([...data.items.filter((item) => item.id !== view.id), view]) } : data,
    );
    void queryClient.invalidateQueries({ queryKey: savedViewKeys.all });
  };
};

export const useCreateSavedView = () => {
  const store = useStoreView();
  return useMutation({ mutationFn: (input: SavedViewInput) => createSavedView(input), onSuccess: store });
};

export const useUpdateSavedView = () => {
  const store = useStoreView();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: TUpdateSavedViewRequest }) => updateSavedView(id, changes),
    onSuccess: store,
  });
};

export const useDeleteSavedView = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteSavedView(id),
    // Not awaited: the screen leaves a deleted view it shows before the list comes back without it.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: savedViewKeys.all }),
  });
};
