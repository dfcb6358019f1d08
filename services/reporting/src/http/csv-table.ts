import { stringify } from "csv-stringify/sync";
import { z } from "zod";

/** One array of an answer as a CSV file: the schema of its rows gives the columns. */
export interface CsvTable {
  filename: string;
  row: z.ZodType;
  rows: readonly unknown[];
  /** A paged answer's cursor of the next page (sent as a `Link: <…>; rel="next"` header); null on the last. */
  nextCursor?: string | null;
}

type Path = readonly string[];

const unwrapped = (schema: z.ZodType): z.ZodType =>
  schema instanceof z.ZodNullable || schema instanceof z.ZodOptional || schema instanceof z.ZodDefault
    ? unwrapped(schema.unwrap() as z.ZodType)
    : schema;

function valueAt(row: unknown, path: Path): unknown {
  let value = row;
  for (const key of path)
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/**
 * Column paths of a row schema: a nested object's fields are columns of their own (`queue.kind`), and a
 * record (`stateMs`) has a column per key present in any row, sorted, since its keys are data.
 */
function columnPaths(schema: z.ZodType, rows: readonly unknown[], prefix: Path = []): Path[] {
  const inner = unwrapped(schema);
  if (inner instanceof z.ZodObject)
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
      columnPaths(field, rows, [...prefix, key]),
    );
  if (inner instanceof z.ZodRecord) {
    const keys = new Set<string>();
    for (const row of rows) for (const key of Object.keys(valueAt(row, prefix) ?? {})) keys.add(key);
    return [...keys].sort().map((key) => [...prefix, key]);
  }
  return [prefix];
}

/** Lists are one cell with their items space-separated (ids never hold a space); null and absent are empty. */
function cell(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(" ");
  if (typeof value === "object") return JSON.stringify(value);
  return value as string | number | boolean;
}

/**
 * The table as CSV text (RFC 4180 quoting by csv-stringify): a header row of dotted column names, then a
 * row per item. Cells starting with `=`, `+`, `-` or `@` (other than negative numbers) get a leading `'`,
 * so a spreadsheet never runs a value as a formula.
 */
export function csvText(table: CsvTable): string {
  const paths = columnPaths(table.row, table.rows);
  return stringify(
    table.rows.map((row) => paths.map((path) => cell(valueAt(row, path)))),
    {
      header: true,
      columns: paths.map((path) => path.join(".")),
      escape_formulas: true,
      cast: { boolean: (value) => String(value) },
    },
  );
}

/** `2026-11-02T09:00:00.000Z` as `20261102T0900Z`, for file names. */
export const fileStamp = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, "")}Z`;
