import { useQuery } from "@tanstack/react-query";
import { fetchMe, meQueryKey } from "../api/auth-api";

export const useMe = () => useQuery({ queryKey: meQueryKey, queryFn: ({ signal }) => fetchMe(signal) });
