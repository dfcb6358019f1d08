import type { Tx } from "./session-store";

export type FileSendAnswer = "allowed" | "denied";

export interface FileSendRow {
  requestId: string;
  fileName: string;
  sizeBytes: number;
  requestedAtMs: number;
  answer: FileSendAnswer | null;
}

interface FileSendRecord {
  request_id: string;
  file_name: string;
  size_bytes: string;
  requested_at_ms: string;
  answer: FileSendAnswer | null;
}

const toRow = (r: FileSendRecord): FileSendRow => ({
  requestId: r.request_id,
  fileName: r.file_name,
  sizeBytes: Number(r.size_bytes),
  requestedAtMs: Number(r.requested_at_ms),
  answer: r.answer,
});

/**
 * The customer's file-send requests (`file_send_requests`). Used inside a session change, on its
 * transaction: the session's row lock orders requests and answers.
 */
export class FileSendStore {
  async insert(tx: Tx, siteId: string, sessionId: string, request: Omit<FileSendRow, "answer">): Promise<void> {
    await tx.query(
      `insert into file_send_requests (site_id, session_id, request_id, file_name, size_bytes, requested_at_ms)
       values ($1, $2, $3, $4, $5, $6)`,
      [siteId, sessionId, request.requestId, request.fileName, request.sizeBytes, request.requestedAtMs],
    );
  }

  async find(tx: Tx, siteId: string, sessionId: string, requestId: string): Promise<FileSendRow | undefined> {
    const result = await tx.query<FileSendRecord>(
      "select * from file_send_requests where site_id = $1 and session_id = $2 and request_id = $3",
      [siteId, sessionId, requestId],
    );
    return result.rows[0] && toRow(result.rows[0]);
  }

  /** The unanswered request, if any (at most one, by the table's unique index). */
  async open(tx: Tx, siteId: string, sessionId: string): Promise<FileSendRow | undefined> {
    const result = await tx.query<FileSendRecord>(
      "select * from file_send_requests where site_id = $1 and session_id = $2 and answer is null",
      [siteId, sessionId],
    );
    return result.rows[0] && toRow(result.rows[0]);
  }

  async answer(
    tx: Tx,
    siteId: string,
    sessionId: string,
    requestId: string,
    answer: FileSendAnswer,
    answeredBy: string,
    atMs: number,
  ): Promise<void> {
    await tx.query(
      `update file_send_requests set answer = $4, answered_by = $5, answered_at_ms = $6
       where site_id = $1 and session_id = $2 and request_id = $3 and answer is null`,
      [siteId, sessionId, requestId, answer, answeredBy, atMs],
    );
  }
}
