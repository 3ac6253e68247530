/**
 * Paginated AWS calls, flattened: each adapter says how to fetch a page for a token, where the
 * items are and where the next token is (`nextToken`, `NextToken` or `Marker`, per service).
 */

/** Fetches every page, following the next token until a page has none; returns all items in order. */
export async function allPages<P, T>(
  fetch: (token: string | undefined) => Promise<P>,
  items: (page: P) => readonly T[] | undefined,
  next: (page: P) => string | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...(items(page) ?? []));
    token = next(page);
  } while (token);
  return out;
}
