/** JSON pointer (RFC 6901) escaping of one key: `~` as `~0`, `/` as `~1` (a key with neither is returned as it is). */
export function escapePointerKey(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/** The JSON pointer of a path of keys and indices (`['data', 'a/b']` → `/data/a~1b`). */
export function jsonPointer(path: ReadonlyArray<string | number>): string {
  return path.map((k) => `/${escapePointerKey(String(k))}`).join('');
}
