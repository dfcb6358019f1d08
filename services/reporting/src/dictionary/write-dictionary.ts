import { writeFileSync } from "node:fs";
import path from "node:path";
import { dictionaryMarkdown } from "./dictionary-markdown";

/** Where the generated document is checked in: services/reporting/METRICS-DICTIONARY.md. */
export const DICTIONARY_PATH = path.join(__dirname, "..", "..", "METRICS-DICTIONARY.md");

if (require.main === module) writeFileSync(DICTIONARY_PATH, dictionaryMarkdown());
