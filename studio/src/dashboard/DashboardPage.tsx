import "./dashboard.css";

import { useMemo, useState } from "react";

import { InsightsApi } from "../api/insights";
import { Allowed } from "../session/Allowed";
import { useSignedIn } from "../session/StudioContext";
import { Failure } from "../Status";
import { grainFor, PERIODS, sinceFor } from "./figures";
import { InsightsList } from "./InsightsList";
import { KpiTiles } from "./KpiTiles";
import { QuestionBox } from "./QuestionBox";
import { ReportsList } from "./ReportsList";
import { RoiSection } from "./RoiSection";
import { usePolling } from "./usePolling";
import { ValuesSection } from "./ValuesSection";

// Insights change when the hourly job runs: a minute between asks is plenty.
const INSIGHTS_POLL_MS = 60_000;

/** What the tenant's workflows and endpoints cost and return: KPIs and ROI that stay current,
 * questions in plain English, automated insights, weekly reports and (editors) values. */
export default function DashboardPage() {
  const { config, session, fetch } = useSignedIn();
  const api = useMemo(
    () => (config.insightsUrl ? new InsightsApi(config.insightsUrl, session, fetch) : null),
    [config.insightsUrl, session, fetch],
  );
  return (
    <section aria-labelledby="dashboard-title" className="dashboard">
      {api ? (
        <Dashboard api={api} tenant={session.tenant} />
      ) : (
        <>
          <h1 id="dashboard-title">Dashboard</h1>
          <Failure message="The insights service is not configured: the builder serving Studio names no insightsUrl (AIRLOOM_BUILDER_INSIGHTS_URL), so there are no figures to show." />
        </>
      )}
    </section>
  );
}

function Dashboard({ api, tenant }: { api: InsightsApi; tenant: string }) {
  const [days, setDays] = useState<number>(7);
  const since = sinceFor(days);
  const grain = grainFor(days);
  const kpis = usePolling(() => api.kpis({ since }), [api, since]);
  const byWorkflow = usePolling(() => api.roi("workflow", grain, { since }), [api, since, grain]);
  const overall = usePolling(() => api.roi("tenant", grain, { since }), [api, since, grain]);
  const insights = usePolling(() => api.insights(), [api], INSIGHTS_POLL_MS);
  const known = useMemo(() => [...new Set(byWorkflow.data?.rows.map((row) => row.key))].sort(), [byWorkflow.data]);

  return (
    <>
      <div className="dash-head">
        <h1 id="dashboard-title">Dashboard</h1>
        <label>
          Period{" "}
          <select value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {PERIODS.map((period) => (
              <option key={period.days} value={period.days}>
                {period.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <section aria-labelledby="kpis-title">
        <h2 id="kpis-title">Key figures</h2>
        {kpis.error && <Failure message={`Key figures not updated: ${kpis.error}`} />}
        <KpiTiles kpis={kpis.data} />
        {kpis.data && <p className="muted">Costs at the {kpis.data.rates_environment} rates; updated every few seconds.</p>}
      </section>
      <RoiSection byWorkflow={byWorkflow.data} overall={overall.data} error={byWorkflow.error ?? overall.error} />
      <QuestionBox api={api} />
      <InsightsList insights={insights.data} error={insights.error} />
      <ReportsList api={api} tenant={tenant} />
      <Allowed role="editor">
        <ValuesSection
          api={api}
          known={known}
          onChanged={() => {
            kpis.refresh();
            byWorkflow.refresh();
            overall.refresh();
          }}
        />
      </Allowed>
    </>
  );
}
