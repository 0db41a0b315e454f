import { useState, type FormEvent } from "react";

import { useCreateWorkflow } from "./useCreateWorkflow";

/** A blank workflow: its name (the builder checks it) and an optional title. */
export function NewWorkflowForm() {
  const { create, busy, error } = useCreateWorkflow();
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    void create(name, title);
  }

  return (
    <form className="inline-form" onSubmit={submit} aria-label="New workflow">
      <input
        aria-label="Name"
        placeholder="name, e.g. churn_weekly"
        required
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <input
        aria-label="Title"
        placeholder="Title (optional)"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
      />
      <button type="submit" disabled={busy}>
        New workflow
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
