/**
 * The labels of a metric kept per upstream connection (docs/design.md, 'Several orgs'): `upstream`
 * (genesys, servicenow) and, with a connections file only, `connection` — the configured name of the
 * Genesys org or ServiceNow instance, so its values are bounded by the file. Without the file the
 * series keep exactly the labels they always had.
 */
export interface ConnectionLabels {
  readonly upstream: string;
  readonly connection?: string;
}

export function connectionLabels(upstream: string, connection?: string): ConnectionLabels {
  return connection === undefined ? { upstream } : { upstream, connection };
}

/**
 * Only the two labels of `source` (a broker's or a limiter's options, say), `connection` left out when
 * unset; a bare name is an upstream without a connection label.
 */
export function labelsOf(source: string | ConnectionLabels): { upstream: string; connection?: string } {
  return typeof source === 'string' ? { upstream: source } : connectionLabels(source.upstream, source.connection);
}

/** The label names a per-connection metric declares (`connection` is left out of a series that has none). */
export const CONNECTION_LABEL_NAMES = ['upstream', 'connection'] as const;

/** One key per connection, for maps of per-connection readers. */
export function connectionKey(source: string | ConnectionLabels): string {
  const labels = labelsOf(source);
  return labels.connection === undefined ? labels.upstream : `${labels.upstream}:${labels.connection}`;
}
