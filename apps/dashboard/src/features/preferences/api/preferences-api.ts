import { type TMeResponse, type TUpdatePreferencesRequest, type TUserPreferences, ZUserPreferences } from "@parley/shared";
import { type QueryClient, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "../../../lib/api-client";
import { meQueryKey } from "../../auth/api/auth-api";

/** What the server will store for a change: only the keys sent, notification switches one by one. */
export const mergePreferences = (current: TUserPreferences, changes: TUpdatePreferencesRequest): TUserPreferences => ({
  language: changes.language === undefined ? current.language : changes.language,
  notifications: { ...current.notifications, ...changes.notifications },
});

const setCachedPreferences = (queryClient: QueryClient, update: (current: TUserPreferences) => TUserPreferences) =>
  queryClient.setQueryData<TMeResponse | null>(meQueryKey, (me) => (me ? { ...me, preferences: update(me.preferences) } : me));

/**
 * Saves the member's preferences on the server, where every device reads them (`me.preferences`).
 * The cache changes at once, so switches and the language answer without waiting; a refusal puts them back.
 */
export const useUpdatePreferences = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: TUpdatePreferencesRequest) =>
      apiRequest("/me/preferences", ZUserPreferences, { method: "PATCH", body: changes }),
    onMutate: async (changes) => {
      await queryClient.cancelQueries({ queryKey: meQueryKey });
      const previous = queryClient.getQueryData<TMeResponse | null>(meQueryKey)?.preferences;
      setCachedPreferences(queryClient, (current) => mergePreferences(current, changes));
      return { previous };
    },
    onError: (_error, _changes, context) => {
      const previous = context?.previous;
      if (previous) setCachedPreferences(queryClient, () => previous);
    },
    onSuccess: (saved) => setCachedPreferences(queryClient, () => saved),
  });
};
