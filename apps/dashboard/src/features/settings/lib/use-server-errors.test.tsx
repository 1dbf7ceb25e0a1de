// @vitest-environment happy-dom
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { describe, expect, it } from "vitest";
import fr from "../../../i18n/locales/fr";
import { ApiError } from "../../../lib/api-client";
import { createTestI18n } from "../../conversation/components/test-providers";
import { useServerErrors } from "./use-server-errors";

const renderInFrench = () => {
  const i18n = createTestI18n({ language: "fr", translation: fr });
  const wrapper = ({ children }: { children: ReactNode }) => <I18nextProvider i18n={i18n}>{children}</I18nextProvider>;
  return renderHook(() => useServerErrors(["name", "description"] as const), { wrapper }).result;
};

describe("useServerErrors", () => {
  it("puts a refused name's translated reason next to the field instead of the server's English note", () => {
    const form = renderInFrench();
    const taken = new ApiError({
      status: 409,
      code: "conflict",
      message: 'A team named "Support" already exists in this workspace; choose another name.',
      fieldErrors: { name: "already used by another team" },
      reason: "team_name_taken",
      params: { name: "Support" },
    });
    act(() => form.current.handleError(taken));
    expect(form.current.fieldErrors).toEqual({ name: "Une équipe nommée « Support » existe déjà. Choisissez un autre nom." });
    expect(form.current.formError).toBeNull();
  });

  it("keeps the server's notes on fields when the error names no reason", () => {
    const form = renderInFrench();
    const invalid = new ApiError({
      status: 400,
      code: "validation_failed",
      message: "Check these fields: body.name (too long)",
      fieldErrors: { name: "too long" },
    });
    act(() => form.current.handleError(invalid));
    expect(form.current.fieldErrors).toEqual({ name: "too long" });
  });
});
