import { memoByString } from './memo';

/**
 * Credential detection shared by the stack check (at parse time, naming the field path) and the output scan
 * (`secret-in-git`, over every string of every object written). One detector, so both agree.
 */

/**
 * Values that are credentials whatever their name: the pattern, what it is, and literals of which every match
 * contains at least one (for the pre-test below; a new pattern must name its own).
 */
const CREDENTIAL_VALUE: ReadonlyArray<[RegExp, string, ReadonlyArray<string>]> = [
  [/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/, 'a PEM private key', ['PRIVATE KEY']],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id', ['AKIA', 'ASIA']],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JSON Web Token', ['eyJ']],
  [/^\s*(client-key-data|client-certificate-data|token):\s+\S{16,}/m, 'kubeconfig credentials', ['-data:', 'token:']],
  [/^kind:\s*Config\s*$[\s\S]*^users:/m, 'a kubeconfig', ['users:']],
  [/\b(ghp|gho|ghu|ghs|ghr|github_pat|glpat)_[A-Za-z0-9_-]{16,}/, 'a GitHub or GitLab token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat_']],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token', ['xox']],
  [/\bhooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/, 'a Slack webhook URL', ['hooks.slack.com/services/']],
  [/\bsk_live_[0-9a-zA-Z]{16,}/, 'a Stripe secret key', ['sk_live_']],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key', ['AIza']],
];

/**
 * Credentials in a URL: `scheme://user:password@host` for any scheme, and any userinfo at all in http(s)
 * URLs (`https://<token>@host` carries a token as the user name). `ssh://git@host` (a user, no password) is
 * not a credential.
 */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/\s?#@]*)@/g;

/**
 * Whether a string contains one of the literals of CREDENTIAL_VALUE or `://` (which URL_USERINFO needs). A
 * string without any holds no credential by value, so this one scan rules out most strings before the eleven
 * patterns run; a string with one goes through every pattern as before (same verdicts).
 */
const MAY_HOLD_CREDENTIAL = new RegExp([...CREDENTIAL_VALUE.flatMap(([, , literals]) => literals), '://'].map((l) => l.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));

/** What credential `value` holds, if any: a short description (never the value). */
export function credentialIn(value: string): string | undefined {
  if (!MAY_HOLD_CREDENTIAL.test(value)) return undefined;
  const found = CREDENTIAL_VALUE.find(([re]) => re.test(value))?.[1];
  if (found) return found;
  return userinfoIn(value);
}

/** `credentials in a URL (user:password@host)` when `value` holds a URL with userinfo, else undefined. */
export function userinfoIn(value: string): string | undefined {
  for (const m of value.matchAll(URL_USERINFO)) {
    const scheme = m[1].toLowerCase();
    const info = m[2];
    if (info.includes(':') || scheme === 'http' || scheme === 'https') return 'credentials in a URL (user information before @)';
  }
  return undefined;
}

/**
 * Names that say their value is a credential: `DB_PASSWORD`, `api-key`, `token`, `aws.secret_access_key`.
 * A separator (or the start) must come before the credential word, so schema fields that name a Secret
 * (`adminSecret`, `tokenSecret`, `imagePullSecret`) are not taken for credentials.
 */
const CREDENTIAL_NAME = /(^|[_.-])(pass(word|wd|phrase)?|secret|token|auth[_-]?token|api[_-]?key|access[_-]?key|secret[_-]?access[_-]?key|private[_-]?key|credentials?|client[_-]?secret)s?$/i;

/** Names that hint at a credential anywhere in them; a long random value under one is flagged. */
const CREDENTIAL_HINT = /pass|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth|cred|signature/i;

/** True when a name says its value is a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** Shannon entropy of a string in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** A value that looks random: 20+ characters of one token with letters and digits, over 3.5 bits per character. */
export function looksRandom(value: string): boolean {
  return value.length >= 20 && value.length <= 4096 && /^[A-Za-z0-9+/=_.~-]+$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && entropy(value) > 3.5;
}

/** Literal values that are not credentials even under a credential name: references and placeholders. */
function isReference(value: string): boolean {
  const v = value.trim();
  return v === '' || v.startsWith('/') || /^\$[({]/.test(v) || /^<[^>]*>$/.test(v);
}

/** One credential found in a tree of plain data. */
export interface CredentialHit {
  /** Path of the string: keys and indices. */
  readonly path: ReadonlyArray<string | number>;
  /** What it is, in words (never the value). */
  readonly what: string;
  /** The credential-like name it sits under, when it was found by name. */
  readonly name?: string;
}

/** What a name says of its value: a credential (1), a hint of one (2), or nothing (0). */
type NameClass = 0 | 1 | 2;

/** What a name says of its value; names repeat across objects, so each verdict is memoized. */
const nameClass = memoByString((name: string): NameClass => (isCredentialName(name) ? 1 : CREDENTIAL_HINT.test(name) ? 2 : 0));

/**
 * Every credential in `root`: each string is checked by value (key formats, PEM blocks, JWTs, tokens, URLs
 * with user information), and by name — the mapping key above it, or the `name` beside it in a
 * `{name, value}` pair — a credential name with any literal value, or a credential hint with a random value.
 * `skip` prunes subtrees (by path; it is given the walk's own path array, valid only during the call).
 * Depth is bounded by the data (inputs are depth-capped at parse time).
 */
export function findCredentials(root: unknown, skip?: (path: ReadonlyArray<string | number>) => boolean): CredentialHit[] {
  const out: CredentialHit[] = [];
  // One path array for the whole walk (pushed and popped); a hit copies it.
  const path: Array<string | number> = [];
  const visit = (v: unknown, name: string | undefined): void => {
    if (skip !== undefined && skip(path)) return;
    if (typeof v === 'string') {
      const what = credentialIn(v);
      if (what) out.push({ path: [...path], what: `holds ${what}` });
      else if (name !== undefined) {
        const c = nameClass(name);
        if (c !== 0 && !isReference(v) && (c === 1 || looksRandom(v))) out.push({ path: [...path], what: `${name} is a credential given as a literal value`, name });
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i], undefined);
        path.pop();
      }
      return;
    }
    const o = v as Record<string, unknown>;
    // The `name` of a `{name, value}` pair names its value; it is looked up only in objects with one of the two keys.
    let pairName: string | undefined | null = null;
    for (const k of Object.keys(o)) {
      let at: string | undefined = k;
      if (k === 'value' || k === 'name') {
        if (pairName === null) pairName = typeof o.name === 'string' && 'value' in o ? o.name : undefined;
        if (pairName !== undefined) at = k === 'value' ? pairName : undefined;
      }
      path.push(k);
      visit(o[k], at);
      path.pop();
    }
  };
  visit(root, undefined);
  return out;
}
