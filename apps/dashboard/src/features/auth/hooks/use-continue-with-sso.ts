import { useState } from "react";
import { ApiError, isApiError } from "../../../lib/api-client";
import { useDiscoverSso } from "./use-account-mutations";
import { useReturnPath } from "./use-return-path";

/** The server's start URL with the page to land on afterwards; anything but http(s) is refused. */
const ssoStartUrlOf = (startUrl: string, returnPath: string): string => {
  const url = new URL(startUrl, window.location.origin);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError({ status: 200, code: "invalid_response", message: "The single sign-on address is not a web address." });
  }
  if (returnPath !== "/") url.searchParams.set("redirectTo", returnPath);
  return url.toString();
};

/** A discovery answering 404: no enabled connection owns the email's domain. */
export const isNoSsoForDomain = (error: unknown): boolean => isApiError(error) && error.code === "not_found";

/**
 * "Continue with SSO": finds the connection for the email's domain, then leaves the dashboard for the
 * identity provider (a full page load; the server redirects back when the sign-in completes).
 */
export const useContinueWithSso = () => {
  const discover = useDiscoverSso();
  const returnPath = useReturnPath();
  const [isRedirecting, setIsRedirecting] = useState(false);

  const start = (email: string, onError: (error: unknown) => void) => {
    discover.mutate(
      { email },
      {
        onSuccess: ({ startUrl }) => {
          let target: string;
          try {
            target = ssoStartUrlOf(startUrl, returnPath);
          } catch (error) {
            onError(error);
            return;
          }
          setIsRedirecting(true);
          window.location.assign(target);
        },
        onError,
      },
    );
  };

  return { start, isPending: discover.isPending || isRedirecting };
};
