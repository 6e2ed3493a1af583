// 'sesame-auth/verify' (lib/verify.js): access-token verification for frontends'
// servers (Node, Next.js middleware, edge runtimes). The same checks as the
// server's verify_access_token: the JSON is read in JavaScript, the signature and
// the time, issuer and audience rules come from the wasm core. Only EdDSA
// (Ed25519) is accepted, whatever the token says.
//
// This file needs only the ES2022 library (no DOM), so it type-checks in server
// projects without "dom" in `lib`.

import type { SesameError, SesameErrorCode } from './errors.js';

/**
 * Type only: lib/verify.js does not export these classes at runtime. For
 * `instanceof SesameError`, import SesameError from 'sesame-auth' (the same class).
 */
export type { SesameError, SesameErrorCode };

/**
 * A public JSON Web Key as found in a JWKS. Only OKP/Ed25519 signing keys are
 * used, others are skipped; a key without `kid` is known by its RFC 7638
 * thumbprint.
 */
export interface JsonWebKeyLike {
  kty?: string;
  crv?: string;
  /** The base64url public key. */
  x?: string;
  kid?: string;
  use?: string;
  alg?: string;
  [member: string]: unknown;
}

/** A JWKS document: `{ keys: [...] }` (what /.well-known/jwks.json answers). */
export interface JsonWebKeySet {
  keys: readonly JsonWebKeyLike[];
  [member: string]: unknown;
}

/** Ed25519 public keys by kid, as importJwks returns them. */
export type Ed25519Keys = Map<string, Uint8Array>;

/** What the `fetch` option must answer; the global `fetch`'s Response fits. */
export interface JwksResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/**
 * The `fetch` used for `jwksUrl` (default: the global fetch). It is called as
 * `fetch(url, { headers: { Accept: 'application/json' }, signal })` with a 10 s
 * timeout signal; the global `fetch` fits. (`signal` is an AbortSignal; it is
 * typed loosely so this file needs no DOM types.)
 */
export type JwksFetch = (input: string, init: { headers: Record<string, string>; signal: any }) => Promise<JwksResponse>;

interface VerifyOptionsBase {
  /** The expected `iss`, exactly (the server's SESAME_ISSUER); not empty. */
  issuer: string;
  /** The audience this service accepts (not empty); the token's `aud` (a string or an array) must contain it. */
  audience: string;
  /** Clock skew allowed on exp, nbf and iat: whole seconds from 0 to 300. Default 60. */
  leewaySeconds?: number | undefined;
  /** "Now" in whole unix seconds, for tests. Default: the system clock. */
  nowSeconds?: number | undefined;
  /** Used to fetch `jwksUrl`. Default: the global fetch. */
  fetch?: JwksFetch | undefined;
  /** How long a fetched JWKS is used before it is fetched again, in ms. Default 600000 (10 min). */
  cacheMaxAgeMs?: number | undefined;
  /** The least time between two fetches caused by unknown kids, in ms. Default 30000. */
  cooldownMs?: number | undefined;
}

/**
 * Options of verifyAccessToken: the issuer and audience, and the keys, either as
 * `jwksUrl` (fetched, cached for 10 minutes, refetched for an unknown kid at most
 * every 30 s) or as `keys` (a JWKS document or the Map from importJwks).
 */
export type VerifyOptions = VerifyOptionsBase &
  (
    | { jwksUrl: string; keys?: undefined }
    | { keys: JsonWebKeySet | Ed25519Keys; jwksUrl?: undefined }
  );

/** The claims of a verified Sesame access token. */
export interface AccessTokenClaims {
  /** Issuer. */
  iss: string;
  /** The user's id. */
  sub: string;
  /**
   * The audience that was checked (`options.audience`), not the token's own
   * `aud` member, which may have been an array.
   */
  aud: string;
  /** Expiry, unix seconds. */
  exp: number;
  /** Issued at, unix seconds. */
  iat: number;
  /** Not before, unix seconds, when the token has one. */
  nbf?: number;
  /** The token's id. */
  jti: string;
  /** The session's id. */
  sid: string;
  /** The user's tenant, when the token has one. */
  tenant_id?: string;
  /** The user's roles ([] when absent). */
  roles: string[];
  /** How the user authenticated (RFC 8176 names, e.g. ["pwd"]); [] when absent. */
  amr: string[];
  /** Any other claim, as it was in the token. */
  [claim: string]: unknown;
}

/** What verifyAccessToken resolves to. */
export interface VerifiedAccessToken {
  /** The id of the key that signed the token. */
  kid: string;
  claims: AccessTokenClaims;
}

/**
 * Ed25519 keys by kid, from a JWKS document, by the server's rules: keys of
 * another type, curve, use or algorithm are skipped; a malformed set or key,
 * private key material, an invalid public key or kid, or two keys with one kid
 * refuse the whole set with `jwt_invalid_key`. A key without kid is known by its
 * RFC 7638 thumbprint (which needs crypto.subtle).
 */
export declare function importJwks(jwks: JsonWebKeySet): Promise<Ed25519Keys>;

/**
 * Verifies a Sesame access token (the bearer token, without "Bearer "). Resolves
 * to `{kid, claims}`; rejects with a SesameError whose code is the core's
 * (`jwt_expired`, `jwt_invalid_signature`, `jwt_unknown_key` ...),
 * `invalid_argument` for unusable options, or `jwks_unavailable` when the key
 * set cannot be fetched.
 *
 * @example
 * const { claims } = await verifyAccessToken(token, {
 *   issuer: 'https://auth.example.com',
 *   audience: 'example-api',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 * });
 */
export declare function verifyAccessToken(token: string, options: VerifyOptions): Promise<VerifiedAccessToken>;
