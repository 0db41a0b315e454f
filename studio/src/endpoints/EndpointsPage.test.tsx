import { screen } from "@testing-library/react";
import { expect, it } from "vitest";

import { answering, json } from "../test/answers";
import { ENDPOINT, signedInAs } from "../test/marketplaceAnswers";
import { renderStudio } from "../test/renderStudio";

it("lists each endpoint with what it serves, linking to its page and its model's", async () => {
  signedInAs("viewer");
  const down = { ...ENDPOINT, name: "fraud", model: "fraud", version: null, status: "unavailable", reason: "the sagemaker target cannot be asked" };
  const { fetch } = answering({ "GET /api/v1/endpoints": () => json({ endpoints: [ENDPOINT, down] }) });
  renderStudio("/endpoints", fetch);
  const rows = await screen.findAllByRole("row", {}, { timeout: 5000 });
  expect(rows[1]).toHaveTextContent("churnchurnv1localready");
  expect(screen.getAllByRole("link", { name: "churn" }).map((a) => a.getAttribute("href"))).toEqual([
    "/endpoints/churn",
    "/marketplace/models/churn",
  ]);
  expect(rows[2]).toHaveTextContent("unavailablethe sagemaker target cannot be asked");
});
