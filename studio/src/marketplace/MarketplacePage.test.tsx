import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { SEARCH, signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

describe("the marketplace page", () => {
  it("lists models as cards linking to their pages, with facet counts", async () => {
    signedInAs("viewer");
    const { fetch } = answering({ "GET /api/v1/models": () => json(SEARCH) });
    renderStudio("/marketplace", fetch);
    const link = await screen.findByRole("link", { name: "churn" }, { timeout: 5000 });
    expect(link).toHaveAttribute("href", "/marketplace/models/churn");
    const task = screen.getByRole("group", { name: "Task" });
    expect(within(task).getByRole("checkbox", { name: /regression \(3\)/ })).not.toBeChecked();
    expect(screen.getByRole("group", { name: "Industry" })).toBeInTheDocument();
    // A facet with no values under the filter is not shown.
    expect(screen.queryByRole("group", { name: "Licence" })).not.toBeInTheDocument();
  });

  it("keeps facets, sort and metric filters in the URL and asks the API with them", async () => {
    signedInAs("viewer");
    const { fetch, requests } = answering({ "GET /api/v1/models": () => json(SEARCH) });
    const router = renderStudio("/marketplace", fetch);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("checkbox", { name: /regression/ }, { timeout: 5000 }));
    await waitFor(() => expect(router.state.location.search).toBe("?task=regression"));

    await user.selectOptions(screen.getByLabelText("Sort by"), "-metric:roc_auc");
    await user.type(screen.getByLabelText("Metric"), "roc_auc");
    await user.selectOptions(screen.getByLabelText("Operator"), ">=");
    await user.type(screen.getByLabelText("Value"), "0.8");
    await user.click(screen.getByRole("button", { name: "Add" }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).getAll("metric")).toEqual(["roc_auc>=0.8"]),
    );
    const last = requests[requests.length - 1].url.searchParams;
    expect(last.getAll("task")).toEqual(["regression"]);
    expect(last.get("sort")).toBe("-metric:roc_auc");
    expect(last.get("metric")).toBe("roc_auc>=0.8");
    expect(screen.getByRole("button", { name: "Remove filter roc_auc>=0.8" })).toBeInTheDocument();
  });

  it("says which metric filter input is wrong", async () => {
    signedInAs("viewer");
    renderStudio("/marketplace", answering({ "GET /api/v1/models": () => json(SEARCH) }).fetch);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Metric", {}, { timeout: 5000 }), "roc_auc");
    await user.type(screen.getByLabelText("Value"), "high");
    await user.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Value: give a number");
  });

  it("pages through many results from a linked page", async () => {
    signedInAs("viewer");
    const { fetch, requests } = answering({ "GET /api/v1/models": () => json({ ...SEARCH, total: 30, page: 2 }) });
    const router = renderStudio("/marketplace?q=churn&page=2", fetch);
    expect(await screen.findByText("Page 2 of 3", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByLabelText("Search models")).toHaveValue("churn");
    await userEvent.setup().click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(router.state.location.search).toBe("?q=churn&page=3"));
    expect(requests[0].url.searchParams.get("page")).toBe("2");
  });

  it("puts typed words in the URL, and the URL's words back in the box on going back", async () => {
    signedInAs("viewer");
    const { fetch, requests } = answering({ "GET /api/v1/models": () => json(SEARCH) });
    const router = renderStudio("/marketplace", fetch);
    const box = await screen.findByLabelText("Search models", {}, { timeout: 5000 });
    await userEvent.setup().type(box, "churn");
    await waitFor(() => expect(router.state.location.search).toBe("?q=churn"));
    await waitFor(() => expect(requests[requests.length - 1].url.searchParams.get("q")).toBe("churn"));
    await router.navigate("/marketplace?q=fraud");
    await waitFor(() => expect(box).toHaveValue("fraud"));
    // The words the URL brought stay: nothing types over them once the box settles.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(router.state.location.search).toBe("?q=fraud");
  });
});
