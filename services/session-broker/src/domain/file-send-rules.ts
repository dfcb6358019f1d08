import { InvalidFieldError } from "./errors";

/** The longest file name most file systems take (ext4, NTFS: 255). */
export const MAX_FILE_NAME = 255;
/** 10 GiB: beyond what a support session sends; the size is what the customer's browser reports. */
export const MAX_FILE_SIZE_BYTES = 10 * 1024 ** 3;

/**
 * Checks a file the customer asks to send, past the display-name rules the adapter applies (one
 * line, no control or bidi-override characters, so "invoice‮fdp.exe" cannot pose as a PDF): a bare
 * name, since the rep's client decides where it goes, and a size within bounds.
 */
export function checkFileToSend(fileName: string, sizeBytes: number): void {
  if (/[/\\]/.test(fileName) || fileName === "." || fileName === "..")
    throw new InvalidFieldError("file_name", "must be a bare file name (no path separators)");
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > MAX_FILE_SIZE_BYTES)
    throw new InvalidFieldError("size_bytes", `must be 1..${MAX_FILE_SIZE_BYTES} bytes`);
}
