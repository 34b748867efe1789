import * as fs from 'fs';

/**
 * A cache file's stamp: its device, inode, size and modification time. A file replaced, rewritten or appended to
 * since has another, so a process that read or wrote a cache file (the validation cache, flows.json) does not read it
 * again while its stamp is the same. (The output's file index stamps its files with their change time as well:
 * lib/synth/file-index.ts stampOfStats.)
 */
export function statStamp(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}
