// @vitest-environment happy-dom
import { renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { describe, expect, it } from "vitest";
import { createTestI18n } from "../features/conversation/components/test-providers";
import de from "../i18n/locales/de";
import { ApiError } from "./api-client";
import { useErrorMessage } from "./use-error-message";

/** The hook as a German-speaking member gets it. */
const describeInGerman = () => {
  const i18n = createTestI18n({ language: "de", translation: de });
  const wrapper = ({ children }: { children: ReactNode }) => <I18nextProvider i18n={i18n}>{children}</I18nextProvider>;
  return renderHook(() => useErrorMessage(), { wrapper }).result.current;
};

describe("useErrorMessage", () => {
  it("words a reason the dashboard knows in the member's language, with the names and counts it carries", () => {
    const describeError = describeInGerman();
    const refusal = new ApiError({
      status: 409,
      code: "in_use",
      message: 'The role "Night shift" is still assigned to 2 members; give them another role (or revoke the invitations) first.',
      reason: "role_has_holders",
      params: { role: "Night shift", memberCount: 2, invitationCount: 0 },
    });
    expect(describeError(refusal)).toBe(
      "Die Rolle „Night shift“ wird noch verwendet (Mitglieder: 2, offene Einladungen: 0). Geben Sie ihnen zuerst eine andere Rolle oder widerrufen Sie die Einladungen.",
    );
  });

  it("shows the server's own message for a code that means different things at different call sites", () => {
    const describeError = describeInGerman();
    const message = "Only a failed reply that never reached the platform can be retried.";
    expect(describeError(new ApiError({ status: 409, code: "conflict", message }))).toBe(message);
    // A reason this build does not know yet is no better than none.
    expect(
      describeError(new ApiError({ status: 403, code: "forbidden", message: "Ask the owner.", reason: "from_the_future" })),
    ).toBe("Ask the owner.");
    // Without a message of its own, the code's sentence is still better than nothing.
    expect(describeError(new ApiError({ status: 409, code: "conflict", message: "" }))).toBe(de.errors.conflict);
  });

  it("keeps the translated sentence for codes whose meaning does not depend on the call site", () => {
    const describeError = describeInGerman();
    const limited = new ApiError({
      status: 429,
      code: "rate_limited",
      message: "Too many attempts for this account. Try again in 15 minutes.",
    });
    expect(describeError(limited)).toBe(de.errors.rate_limited);
    expect(describeError(new ApiError({ status: 401, code: "unauthorized", message: "Sign in to continue." }))).toBe(
      de.errors.unauthorized,
    );
  });

  it("falls back to the server's message for a code it does not know, and to a generic sentence for anything else", () => {
    const describeError = describeInGerman();
    expect(describeError(new ApiError({ status: 422, code: "brand_new_code", message: "Something new went wrong." }))).toBe(
      "Something new went wrong.",
    );
    expect(describeError(new ApiError({ status: 422, code: "brand_new_code", message: "" }))).toBe(de.errors.unknown);
    expect(describeError(new TypeError("x is undefined"))).toBe(de.errors.unknown);
  });
});
