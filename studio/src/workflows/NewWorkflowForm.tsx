import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

import { createWorkflow } from "../api/workflows";
import { useSignedIn } from "../session/StudioContext";

/** A blank workflow: its name (the builder checks it) and an optional title. */
export function NewWorkflowForm() {
  const { graphql } = useSignedIn();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createWorkflow(graphql, name.trim(), title);
      navigate(`/workflows/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
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
