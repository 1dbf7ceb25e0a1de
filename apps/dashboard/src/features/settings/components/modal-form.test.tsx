// @vitest-environment happy-dom
import { TextInput } from "@mantine/core";
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "../../../i18n/locales/en";
import { ApiError } from "../../../lib/api-client";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { ModalForm } from "./modal-form";

afterEach(cleanup);

const renderForm = (props: { formError?: unknown; isPending?: boolean } = {}) => {
  const onSubmit = vi.fn();
  const onCancel = vi.fn();
  renderWithProviders(
    <ModalForm
      onSubmit={onSubmit}
      onCancel={onCancel}
      formError={props.formError ?? null}
      isPending={props.isPending ?? false}
      submitLabel="Create"
    >
      <TextInput label="Name" />
    </ModalForm>,
  );
  return { onSubmit, onCancel };
};

describe("ModalForm", () => {
  it("shows its fields with Cancel and the submit button, and no alert before a failed submit", () => {
    renderForm();
    expect(screen.getByLabelText("Name")).toBeTruthy();
    expect(screen.getByRole("button", { name: en.common.cancel })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create" })).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("submits with Enter in a field or the submit button, without reloading the page, and cancels with Cancel", () => {
    const { onSubmit, onCancel } = renderForm();
    const submitEvent = new Event("submit", { bubbles: true, cancelable: true });
    screen.getByRole("button", { name: "Create" }).closest("form")?.dispatchEvent(submitEvent);
    expect(submitEvent.defaultPrevented).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    expect(onSubmit).toHaveBeenCalledTimes(2);
    fireEvent.click(screen.getByRole("button", { name: en.common.cancel }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it("says above the fields what a submit failed with", () => {
    renderForm({
      formError: new ApiError({ status: 409, code: "conflict", message: "This job was already put back on the queue." }),
    });
    expect(screen.getByRole("alert").textContent).toContain("This job was already put back on the queue.");
  });

  it("while the submit is pending, keeps Cancel from closing the dialog and shows the button loading", () => {
    const { onCancel } = renderForm({ isPending: true });
    const cancel = screen.getByRole("button", { name: en.common.cancel }) as HTMLButtonElement;
    expect(cancel.disabled).toBe(true);
    fireEvent.click(cancel);
    expect(onCancel).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Create" }).getAttribute("data-loading")).toBe("true");
  });
});
