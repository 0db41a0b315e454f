/**
 * Where Studio is mounted: "/studio/" on the local stack, "/v1/builder/studio/" behind an API
 * gateway that adds a prefix. The builder writes the mount into index.html's <base>; the dev
 * server has none and serves at Vite's base. The build uses relative asset URLs, so the same
 * build works under any prefix.
 */

export function studioBase(doc: Document = document): string {
  const href = doc.querySelector("base")?.getAttribute("href");
  return href && href.startsWith("/") ? href : import.meta.env.BASE_URL;
}

/** The builder's own root (its API: /auth, /graphql), one level above Studio's mount. */
export function builderBase(doc: Document = document): string {
  return studioBase(doc).replace(/studio\/$/, "");
}

/** The router's basename: the mount without its trailing slash. */
export function routerBasename(doc: Document = document): string {
  return studioBase(doc).replace(/\/$/, "");
}
