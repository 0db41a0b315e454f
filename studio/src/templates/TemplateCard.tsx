import { useState, type FormEvent } from "react";

import { suggestedName, type Template } from "../api/templates";
import { Allowed } from "../session/Allowed";
import { useCreateWorkflow } from "../workflows/useCreateWorkflow";
import { GraphPreview } from "./GraphPreview";

/** One template: what it does, its graph, and (for editors) a workflow started from it. */
export function TemplateCard({ template }: { template: Template }) {
  const { create, busy, error } = useCreateWorkflow();
  const [name, setName] = useState(suggestedName(template.id));
  const headingId = `template-${template.id.replace(/[^\w-]/g, "_")}`;

  function submit(event: FormEvent) {
    event.preventDefault();
    void create(name, template.title, template.id);
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
