// Tokens for the guard's refusals, made from real ones: a tampered copy (the
// payload changed, the signature kept) and an expired one signed with the
// server's own current key (read from its data dir), so the guard's verdict is
// about the claim alone.
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');
const decodeSegment = (segment) => JSON.parse(Buffer.from(segment, 'base64url').toString());

export function claimsOf(token) {
  return decodeSegment(token.split('.')[1]);
}

/** The same token with `changes` merged into its claims and the old signature. */
export function tampered(token, changes) {
  const [header, payload, signature] = token.split('.');
  return [header, b64url(JSON.stringify({ ...decodeSegment(payload), ...changes })), signature].join('.');
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The token's claims with `changes`, signed again with the server's key of that kid. */
export async function resigned(token, changes, dataDir) {
  const [headerText, payloadText] = token.split('.');
  const { kid } = decodeSegment(headerText);
  const ring = JSON.parse(await readFile(path.join(dataDir, 'secrets/signing_keys.json'), 'utf8'));
  const entry = ring.keys.find((key) => key.kid === kid);
  if (!entry) throw new Error(`no key ${kid} in the server's key ring`);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(entry.seed, 'base64url')]), format: 'der', type: 'pkcs8' });
  const payload = b64url(JSON.stringify({ ...decodeSegment(payloadText), ...changes }));
  return `${headerText}.${payload}.${b64url(sign(null, Buffer.from(`${headerText}.${payload}`), key))}`;
}

/** RFC 6238 with SHA-1, 6 digits, 30 s: what an authenticator app shows at `atMs`. */
export function totp(base32Secret, atMs = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...base32Secret.replace(/[\s=]/g, '').toUpperCase()].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[19] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
