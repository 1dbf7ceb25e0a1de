import type { TMeResponse } from "@parley/shared";
import { createContext, useContext } from "react";

export const SessionContext = createContext<TMeResponse | null>(null);

/** The signed-in member; only for components rendered inside `RequireSession`. */
export const useSession = (): TMeResponse => {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() is used outside RequireSession.");
  return session;
};
