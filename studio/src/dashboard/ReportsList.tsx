import { useState } from "react";

import type { InsightsApi } from "../api/insights";
import type { Report, ReportFormat } from "../api/insightsTypes";
import { Failure, Loading } from "../Status";
import { useLoad } from "../useLoad";

const LABELS: Record<ReportFormat, string> = { html: "HTML", pdf: "PDF" };

/** Saves a downloaded file under its name: the report routes need the token, which a plain
 * link would not send, so the file is fetched and handed to the browser as a blob. */
function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The tenant's weekly executive reports, newest first, each as HTML and PDF. */
export function ReportsList({ api, tenant }: { api: InsightsApi; tenant: string }) {
  const loaded = useLoad(() => api.reports(), [api]);
  const [failed, setFailed] = useState<string | null>(null);

  function download(report: Report, format: ReportFormat) {
    setFailed(null);
    api.downloadReport(report.week, format).then(
      (blob) => save(blob, `airloom-${tenant}-${report.week}.${format}`),
      (error: unknown) =>
        setFailed(`The ${LABELS[format]} report of ${report.week} was not downloaded: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  return (
    <section aria-labelledby="reports-title" className="dash-card">
      <h2 id="reports-title">Weekly reports</h2>
      {loaded.state === "loading" && <Loading what="reports" />}
      {loaded.state === "failed" && <Failure message={`Reports not listed: ${loaded.message}`} />}
      {failed && <Failure message={failed} />}
      {loaded.state === "done" && loaded.data.length === 0 && (
        <p className="muted">No weekly report yet: one is written each Monday for the week before.</p>
      )}
      {loaded.state === "done" && loaded.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Week</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.map((report) => (
              <tr key={report.week}>
                <th scope="row">
                  {report.week} <span className="muted">({report.week_start.slice(0, 10)} to {report.week_end.slice(0, 10)})</span>
                </th>
                <td>
                  {report.formats.map((format) => (
                    <button
                      key={format}
                      type="button"
                      className="link-button"
                      aria-label={`Download ${report.week} as ${LABELS[format]}`}
                      onClick={() => download(report, format)}
                    >
                      {LABELS[format]}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
