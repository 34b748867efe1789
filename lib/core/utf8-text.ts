import * as buffer from 'buffer';
import * as fs from 'fs';

/** Node's `buffer.isAscii` (node >= 18.15, simdutf): undefined on an older Node, where every text is decoded as UTF-8. */
const isAscii = (buffer as unknown as { isAscii?: (bytes: Uint8Array) => boolean }).isAscii;

/**
 * The text of UTF-8 `bytes` from `start` to `end`: the same string as `bytes.toString('utf8', start, end)`. Bytes that
 * are all ASCII (every cache file edgewatt writes, and most stack files) are taken as Latin-1, which gives the same
 * characters (U+0000-U+007F are one byte each in both) without UTF-8's decoding: measured on this project's machine
 * (warm page cache), read and decoded, a 12.7 MB charts.json in 3 ms against 42-100 ms with readFileSync(file, 'utf8'),
 * a 16 MB files.json in 3-108 ms against 111-140 ms. Anything else (a byte over 0x7F: a non-ASCII path or name, a
 * byte order mark) is decoded as UTF-8, as before.
 */
export function utf8Text(bytes: Buffer, start = 0, end = bytes.length): string {
  const part = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  return isAscii?.(part) === true ? part.toString('latin1') : part.toString('utf8');
}

/** A file's text as UTF-8 (utf8Text): the same string as `fs.readFileSync(file, 'utf8')`. */
export function readUtf8File(file: string): string {
  return utf8Text(fs.readFileSync(file));
}
