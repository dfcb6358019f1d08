import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { csvText, fileStamp } from "../../src/http/csv-table";

const row = z.object({
  queue: z.object({ kind: z.string(), id: z.string() }).nullable(),
  note: z.string(),
  count: z.number().nullable(),
  known: z.boolean(),
  repIds: z.array(z.string()),
  stateMs: z.record(z.string(), z.number()),
});

describe("CSV tables", () => {
  it("writes a header row of dotted field names and one column per map key present, sorted", () => {
    const text = csvText({
      filename: "x.csv",
      row,
      rows: [
        { queue: { kind: "team", id: "t1" }, note: "", count: 1, known: true, repIds: [], stateMs: { B: 2 } },
        { queue: null, note: "", count: null, known: false, repIds: ["r1", "r2"], stateMs: { A: 1 } },
      ],
    });
    expect(text.split("\n")[0]).toBe("queue.kind,queue.id,note,count,known,repIds,stateMs.A,stateMs.B");
    expect(parse(text, { columns: true })).toEqual([
      {
        "queue.kind": "team",
        "queue.id": "t1",
        note: "",
        count: "1",
        known: "true",
        repIds: "",
        "stateMs.A": "",
        "stateMs.B": "2",
      },
      {
        "queue.kind": "",
        "queue.id": "",
        note: "",
        count: "",
        known: "false",
        repIds: "r1 r2",
        "stateMs.A": "1",
        "stateMs.B": "",
      },
    ]);
  });

  it("quotes commas, quotes and line breaks so the parser reads the text back unchanged", () => {
    const note = 'said "no, thanks"\r\nthen left';
    const text = csvText({
      filename: "x.csv",
      row,
      rows: [{ queue: null, note, count: 0, known: false, repIds: [], stateMs: {} }],
    });
    expect(parse(text, { columns: true })).toEqual([
      { "queue.kind": "", "queue.id": "", note, count: "0", known: "false", repIds: "" },
    ]);
  });

  it("defuses cells a spreadsheet would run as a formula, but not negative numbers", () => {
    const text = csvText({
      filename: "x.csv",
      row,
      rows: [{ queue: null, note: "=HYPERLINK(1)", count: -5, known: false, repIds: ["@r"], stateMs: {} }],
    });
    expect(parse(text, { columns: true })[0]).toMatchObject({ note: "'=HYPERLINK(1)", count: "-5", repIds: "'@r" });
  });

  it("writes the header alone when there are no rows", () => {
    expect(csvText({ filename: "x.csv", row, rows: [] })).toBe("queue.kind,queue.id,note,count,known,repIds\n");
  });

  it("stamps file names with the minute in UTC", () => {
    expect(fileStamp(Date.UTC(2026, 10, 2, 9, 5, 30))).toBe("20261102T0905Z");
  });
});
