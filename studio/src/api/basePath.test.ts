import { builderBase, routerBasename, studioBase } from "./basePath";

function page(baseHref?: string): Document {
  const doc = document.implementation.createHTMLDocument("Studio");
  if (baseHref !== undefined) {
    const base = doc.createElement("base");
    base.setAttribute("href", baseHref);
    doc.head.append(base);
  }
  return doc;
}

describe("where Studio is mounted", () => {
  it("is /studio/ on the local stack", () => {
    expect(studioBase(page())).toBe("/studio/");
    expect(builderBase(page())).toBe("/");
    expect(routerBasename(page())).toBe("/studio");
  });

  it("follows the prefix a gateway adds, as the builder writes it into <base>", () => {
    const behindGateway = page("/v1/builder/studio/");
    expect(studioBase(behindGateway)).toBe("/v1/builder/studio/");
    expect(builderBase(behindGateway)).toBe("/v1/builder/");
    expect(routerBasename(behindGateway)).toBe("/v1/builder/studio");
  });
});
