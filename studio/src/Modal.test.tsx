import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { Modal } from "./Modal";

function Page() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Deploy…</button>
      <button>Elsewhere on the page</button>
      {open && (
        <Modal labelledBy="title" onClose={() => setOpen(false)}>
          <h2 id="title">Deploy churn v3</h2>
          <label>
            Endpoint name
            <input />
          </label>
          <button>Deploy</button>
          <button onClick={() => setOpen(false)}>Cancel</button>
        </Modal>
      )}
    </>
  );
}

describe("a modal dialog", () => {
  it("takes focus, keeps Tab inside and gives focus back when closed", async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.click(screen.getByRole("button", { name: "Deploy…" }));

    expect(screen.getByRole("dialog", { name: "Deploy churn v3" })).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Endpoint name" })).toHaveFocus();
    await user.tab();
    await user.tab();
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.tab(); // past the last control: back to the first, never to the page behind
    expect(screen.getByRole("textbox", { name: "Endpoint name" })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Deploy…" })).toHaveFocus();
  });
});
