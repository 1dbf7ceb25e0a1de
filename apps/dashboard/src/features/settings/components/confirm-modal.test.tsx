// @vitest-environment happy-dom
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { en } from "../../../i18n/locales/en";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { ConfirmItemModal } from "./confirm-modal";

type Label = { id: string; name: string };
const billing: Label = { id: "label-1", name: "billing" };

/** A list's delete dialog over a mutation whose answers the test decides, with a button that picks the row. */
const DeleteLabel = ({ remove }: { remove: (id: string) => Promise<void> }) => {
  const [deleting, setDeleting] = useState<Label | null>(null);
  const mutation = useMutation({ mutationFn: remove });
  return (
    <>
      <button type="button" onClick={() => setDeleting(billing)}>
        Delete billing
      </button>
      <ConfirmItemModal
        item={deleting}
        title={`Delete ${deleting?.name ?? ""}?`}
        body="Conversations keep their other labels."
        confirmLabel="Delete"
        mutation={mutation}
        doneMessage="Label deleted."
        onClose={() => setDeleting(null)}
      />
    </>
  );
};

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("ConfirmItemModal", () => {
  it("acts on the row's id once confirmed, says so and closes", async () => {
    const show = vi.spyOn(notifications, "show").mockReturnValue("notice");
    const remove = vi.fn(async (_id: string) => undefined);
    renderWithProviders(<DeleteLabel remove={remove} />);
    expect(screen.queryByRole("dialog")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Delete billing" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete billing?" });
    expect(remove).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete" }));

    await waitFor(() => expect(show).toHaveBeenCalledWith(expect.objectContaining({ message: "Label deleted." })));
    expect(remove).toHaveBeenCalledWith(billing.id, expect.anything());
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("keeps a failure in the dialog, and opens the next time without it", async () => {
    const show = vi.spyOn(notifications, "show").mockReturnValue("notice");
    renderWithProviders(
      <DeleteLabel
        remove={async () => {
          throw new Error("The label is in use by a trigger.");
        }}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete billing" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete billing?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toBeTruthy();
    expect(show).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByRole("button", { name: en.common.cancel }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    fireEvent.click(screen.getByRole("button", { name: "Delete billing" }));
    const reopened = await screen.findByRole("dialog", { name: "Delete billing?" });
    expect(within(reopened).queryByRole("alert")).toBeNull();
  });
});
