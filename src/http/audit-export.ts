import type { AuditEntryView } from '../audit/audit-view-schema.js';

/** The export formats of `GET /v1/audit` and their media types. */
export const EXPORT_MEDIA_TYPES = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
} as const;
export type ExportFormat = keyof typeof EXPORT_MEDIA_TYPES;

/** The CSV columns, in order (the header line); `details` is the details object as JSON. */
export const CSV_COLUMNS = ['id', 'at', 'subject', 'kind', 'org', 'message', 'details'] as const;

/** One CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const CRLF = '\r\n';

/** One entry as a line of the format (CSV lines end in CRLF, as RFC 4180 writes them). */
export function exportLine(entry: AuditEntryView, format: ExportFormat): string {
  if (format === 'ndjson') return `${JSON.stringify(entry)}\n`;
  const fields = [entry.id, entry.at, entry.subject, entry.kind, entry.org ?? '', entry.message, JSON.stringify(entry.details)];
  return fields.map(csvField).join(',') + CRLF;
}

/** What an export writes to: an HTTP response (a test may give a stream of its own). */
export interface ExportTarget {
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/** Resolves true once `target` has room again, false if it closes first (the client went away). */
function drained(target: ExportTarget): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      target.off('drain', onDrain);
      target.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    target.once('drain', onDrain);
    target.once('close', onClose);
  });
}

/**
 * Streams `batches` to `target`, one line per entry, one write per batch. `begin` runs once the first
 * batch is read (or the export is found empty), so a store that fails at once is still answered with
 * an error response rather than a cut stream. A write the target cannot take at once (the client reads
 * slower than the store answers) waits for `drain` before the next batch is even read, and a client
 * that disconnects ends the export there: nothing more is read from the store.
 */
export async function writeExport(
  target: ExportTarget,
  batches: AsyncIterable<AuditEntryView[]>,
  format: ExportFormat,
  begin: () => void,
): Promise<'complete' | 'closed'> {
  let closed = target.destroyed;
  const onClose = () => void (closed = true);
  target.once('close', onClose);
  let begun = false;
  const start = () => {
    if (begun) return;
    begun = true;
    begin();
    if (format === 'csv') target.write(CSV_COLUMNS.join(',') + CRLF);
  };
  try {
    // Leaving the loop early (return) ends the batches' generator: no further store read.
    for await (const batch of batches) {
      if (closed) return 'closed';
      start();
      if (!target.write(batch.map((e) => exportLine(e, format)).join('')) && !closed && !(await drained(target))) return 'closed';
      if (closed) return 'closed';
    }
    if (closed) return 'closed';
    start();
    target.end();
    return 'complete';
  } finally {
    target.off('close', onClose);
  }
}
