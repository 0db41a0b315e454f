import { Link } from "react-router";

import { byIndustry, listTemplates } from "../api/templates";
import { useSignedIn } from "../session/StudioContext";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";
import { TemplateCard } from "./TemplateCard";
import "./templates.css";

/** The templates gallery: ready-made designs by industry, each a click from a workflow. */
export default function TemplatesPage() {
  const { graphql } = useSignedIn();
  const loaded = useLoad(() => listTemplates(graphql), [graphql]);

  return (
    <section aria-labelledby="templates-title">
      <div className="page-head">
        <h1 id="templates-title">Templates</h1>
        <Link to="/workflows">All workflows</Link>
      </div>
      {loaded.state === "loading" && <Loading what="templates" />}
      {loaded.state === "failed" && <Failure message={loaded.message} />}
      {loaded.state === "done" &&
        byIndustry(loaded.data).map(([industry, templates], index) => (
          // An id by position: an industry's name may hold spaces, which aria-labelledby splits.
          <section key={industry} aria-labelledby={`industry-${index}`}>
            <h2 id={`industry-${index}`}>{industry}</h2>
            <div className="template-grid">
              {templates.map((template) => (
                <TemplateCard key={template.id} template={template} />
              ))}
            </div>
          </section>
        ))}
    </section>
  );
}
