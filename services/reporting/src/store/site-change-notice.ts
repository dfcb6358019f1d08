import type { Tx } from "./transaction";

/**
 * The PostgreSQL channel every reporting replica LISTENs on; the payload is a site id. Sent inside the
 * ingest transaction, so it is delivered only when the change commits, and PostgreSQL folds identical
 * notices of one transaction into one.
 */
export const SITE_CHANGED_CHANNEL = "reporting_site_changed";

/** Tells every replica's live stream that `siteId`'s figures changed (on commit). */
export async function notifySiteChanged(tx: Tx, siteId: string): Promise<void> {
  await tx.query("select pg_notify($1, $2)", [SITE_CHANGED_CHANNEL, siteId]);
}
