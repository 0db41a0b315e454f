import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

import { suggestedName, type Template } from "../api/templates";
import { createWorkflow } from "../api/workflows";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { GraphPreview } from "./GraphPreview";

/** One template: what it does, its graph, and (for editors) a workflow started from it. */
export function TemplateCard({ template }: { template: Template }) {
  const { graphql } = useSignedIn();
  const navigate = useNavigate();
  const [name, setName] = useState(suggestedName(template.id));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = `template-${template.id.replace(/[^\w-]/g, "_")}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createWorkflow(graphql, name.trim(), template.title, template.id);
      navigate(`/workflows/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  }

  return (
    <article className="template-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{template.title}</h3>
      <p className="muted">{template.description}</p>
      <GraphPreview spec={template.spec} title={template.title} />
      <Allowed role="editor">
        <form className="inline-form" onSubmit={submit} aria-label={`Start from ${template.title}`}>
          <input
            aria-label="Workflow name"
            required
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" disabled={busy}>
            Create workflow
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      </Allowed>
    </article>
  );
}
