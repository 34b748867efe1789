import * as crypto from 'crypto';

type OneShot = {
  (algorithm: string, data: string | Buffer, encoding: 'buffer'): Buffer;
  (algorithm: string, data: string | Buffer, encoding: 'base64' | 'hex'): string;
};

/** Node's one-shot digest `crypto.hash` (node >= 20.12): several times quicker than a Hash object for short values. */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * The `algorithm` digest of `data`, as bytes: the same bytes as `createHash(algorithm).update(data).digest()`
 * (a string is hashed as UTF-8 either way), with the one-shot `crypto.hash` where this Node has it. Used where
 * something is hashed per object (content digests, shards, sampling), where a Hash object's setup cost dominates.
 */
export function digestBytes(algorithm: string, data: string | Buffer): Buffer {
  return oneShot ? oneShot(algorithm, data, 'buffer') : crypto.createHash(algorithm).update(data).digest();
}

/** digestBytes as hex (the same text as `createHash(algorithm).update(data).digest('hex')`). */
export function digestHex(algorithm: string, data: string | Buffer): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex');
}

/** digestBytes as base64 (the same text as `createHash(algorithm).update(data).digest('base64')`). */
export function digestBase64(algorithm: string, data: string | Buffer): string {
  return oneShot ? oneShot(algorithm, data, 'base64') : crypto.createHash(algorithm).update(data).digest('base64');
}
