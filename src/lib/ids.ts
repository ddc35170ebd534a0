import { createHash, randomBytes } from 'node:crypto';

/** Opaque ids with a type prefix: `rec_7Kq…`. 96 random bits, URL-safe. */
export function newId(prefix: 'std' | 'par' | 'ann' | 'cred' | 'upl' | 'rec' | 'str' | 'seg' | 'anr' | 'aln' | 'dsx'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** A bearer token: 256 random bits, with a readable prefix that says what it is. */
export function newToken(kind: 'fsa' | 'fsp' | 'fsn'): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored only as this hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * What a request id may be: a client's `X-Request-Id` is kept when it matches (else a UUID is made). It travels
 * from the request into the outbox row and the jobs of the recording, so that their log lines name it too.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
