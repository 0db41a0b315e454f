import { useState, type FormEvent } from "react";

import type { InsightsApi } from "../api/insights";
import type { QuestionAnswer, Reading } from "../api/insightsTypes";
import { AnswerView } from "./AnswerView";

type Asking = { state: "idle" } | { state: "asking" } | { state: "failed"; message: string } | { state: "done"; answer: QuestionAnswer };

/** "Ask a question": plain English in, the service's reading and numbers out. */
export function QuestionBox({ api }: { api: InsightsApi }) {
  const [question, setQuestion] = useState("");
  const [asking, setAsking] = useState<Asking>({ state: "idle" });

  function ask(asked: Parameters<InsightsApi["ask"]>[0]) {
    setAsking({ state: "asking" });
    api.ask(asked).then(
      (answer) => setAsking({ state: "done", answer }),
      (error: unknown) => setAsking({ state: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (question.trim()) ask({ question: question.trim() });
  }

  function pick(reading: Reading) {
    setQuestion(reading.text);
    ask({ query: reading.query });
  }

  return (
    <section aria-labelledby="ask-title" className="dash-card">
      <h2 id="ask-title">Ask a question</h2>
      <form className="dash-form" onSubmit={submit} aria-labelledby="ask-title">
        <label>
          Question
          <input
            type="text"
            size={50}
            maxLength={500}
            value={question}
            placeholder="cost by workflow last 7 days"
            onChange={(event) => setQuestion(event.target.value)}
          />
        </label>
        <button type="submit" disabled={asking.state === "asking" || !question.trim()}>
          Ask
        </button>
      </form>
      {asking.state === "asking" && (
        <p className="muted" role="status">
          Asking…
        </p>
      )}
      {asking.state === "failed" && (
        <p className="error" role="alert">
          The question was not answered: {asking.message}
        </p>
      )}
      {asking.state === "done" && <AnswerView answer={asking.answer} onPick={pick} />}
    </section>
  );
}
