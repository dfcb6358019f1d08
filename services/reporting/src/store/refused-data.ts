/**
 * SQLSTATE classes that mean PostgreSQL refused the data itself: 22 data exception (a number out of
 * range for its column), 23 integrity constraint violation, 54 program limit exceeded (a row too
 * large to index). Writing the same data again gets the same answer, unlike a lost connection (08),
 * a deadlock (40) or a server shutting down (57), which a retry may get past.
 */
const REFUSED_DATA_CLASSES = new Set(["22", "23", "54"]);

/** Why PostgreSQL refused the data, or undefined when the error is not a refusal of the data. */
export function refusedDataReason(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("code" in error) || typeof error.code !== "string") return undefined;
  if (!REFUSED_DATA_CLASSES.has(error.code.slice(0, 2))) return undefined;
  return `refused by PostgreSQL (${error.code}): ${error.message}`;
}
