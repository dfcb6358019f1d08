import { InvalidFieldError } from "./errors";

/** The longest file name most file systems take (ext4, NTFS: 255). */
export const MAX_FILE_NAME = 255;
/** 10 GiB: beyond what a support session sends; the size is what the customer's browser reports. */
export const MAX_FILE_SIZE_BYTES = 10 * 1024 ** 3;

// A bare name: no folder (the rep's client decides where it goes), nothing a terminal would act on.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const FORBIDDEN = /[/\\\u0000-\u001f\u007f]/;

/** Checks a file the customer asks to send; `fields` name the request's fields in the errors. */
export function checkFileToSend(
  fileName: string,
  sizeBytes: number,
  fields: { name: string; size: string } = { name: "file_name", size: "size_bytes" },
): void {
  if (fileName.length < 1 || fileName.length > MAX_FILE_NAME)
    throw new InvalidFieldError(fields.name, `must be 1..${MAX_FILE_NAME} characters`);
  if (FORBIDDEN.test(fileName) || fileName === "." || fileName === "..")
    throw new InvalidFieldError(fields.name, "must be a bare file name (no path separators or control characters)");
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > MAX_FILE_SIZE_BYTES)
    throw new InvalidFieldError(fields.size, `must be 1..${MAX_FILE_SIZE_BYTES} bytes`);
}
