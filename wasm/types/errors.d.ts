// Typed errors (lib/errors.js). Every error the SDK throws is a SesameError whose
// `code` is a stable snake_case name: the server's problem `code` for HTTP
// failures, the core's error name for local checks, `network_error` when no
// answer came.
//
// This file needs only the ES2022 library (no DOM), so that 'sesame-auth/verify'
// type-checks in server projects too.

/**
 * The codes the server and the core use today (core/src/error.cpp), plus the
 * SDK's own: `network_error`, `wasm_load_failed`, `invalid_response`,
 * `jwks_unavailable`, `unknown_error`. A newer server may send codes not listed
 * here; they still type-check (`string & {}` keeps the known names as editor
 * suggestions).
 */
export type SesameErrorCode =
  // arguments and encodings
  | 'invalid_argument'
  | 'input_too_large'
  | 'invalid_base32'
  | 'invalid_base64url'
  | 'invalid_otp_parameters'
  | 'invalid_otpauth_uri'
  | 'qr_data_too_long'
  // access tokens
  | 'jwt_malformed'
  | 'jwt_unsupported_algorithm'
  | 'jwt_unsupported_type'
  | 'jwt_unknown_key'
  | 'jwt_invalid_signature'
  | 'jwt_expired'
  | 'jwt_not_yet_valid'
  | 'jwt_issued_in_future'
  | 'jwt_invalid_issuer'
  | 'jwt_invalid_audience'
  | 'jwt_missing_claim'
  | 'jwt_invalid_key'
  | 'jwks_unavailable'
  // session state and backup codes
  | 'invalid_session_transition'
  | 'invalid_backup_code'
  // request bodies
  | 'invalid_json'
  | 'missing_field'
  | 'invalid_field'
  | 'invalid_timestamp'
  | 'malformed_json'
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_found'
  // authentication and authorisation
  | 'unauthorized'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'token_expired'
  | 'session_revoked'
  | 'refresh_token_reused'
  | 'forbidden'
  | 'csrf_check_failed'
  | 'account_locked'
  | 'account_disabled'
  | 'rate_limited'
  | 'email_taken'
  | 'password_policy_violation'
  | 'invalid_mfa_code'
  | 'mfa_token_invalid'
  | 'mfa_not_enabled'
  | 'mfa_already_enabled'
  | 'mfa_setup_not_started'
  | 'reset_token_invalid'
  | 'verification_token_invalid'
  | 'password_breached'
  | 'email_not_verified'
  // accounts an admin manages, tenants
  | 'registration_closed'
  | 'password_change_required'
  | 'tenant_disabled'
  | 'tenant_exists'
  // availability
  | 'server_busy'
  | 'service_unavailable'
  | 'internal_error'
  // broken HTTP framing, slow or oversized requests
  | 'bad_request'
  | 'request_timeout'
  | 'headers_too_large'
  // the SDK's own
  | 'network_error'
  | 'wasm_load_failed'
  | 'invalid_response'
  | 'unknown_error'
  | (string & {});

/** One reason a request was refused: a password rule ("password_too_short") or a body field ("missing_field" at "/email"). */
export interface ProblemViolation {
  code: string;
  detail?: string;
  /** JSON pointer into the request body, e.g. "/email". */
  pointer?: string;
  [member: string]: unknown;
}

/** An application/problem+json body (RFC 9457) as the Sesame server sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** The stable error code; branch on this, never on the status alone. */
  code?: SesameErrorCode;
  violations?: ProblemViolation[];
  /** Seconds; mirrors the Retry-After header. */
  retry_after?: number;
  request_id?: string;
  [member: string]: unknown;
}

/** Every error the SDK throws. `code` is a stable snake_case name. */
export declare class SesameError extends Error {
  constructor(code: SesameErrorCode, message?: string, options?: ErrorOptions);
  /** The server's problem `code`, the core's error name, or `network_error`. */
  readonly code: SesameErrorCode;
}

/** The server answered with an error (application/problem+json, RFC 9457). */
export declare class AuthApiError extends SesameError {
  /**
   * `code` is `problem.code` when the body has one, else `internal_error` for a
   * 5xx and `unknown_error` otherwise; the message is the problem's detail or title.
   */
  constructor(problem: Problem | null | undefined, status: number, retryAfterSeconds?: number);
  /** The HTTP status. */
  readonly status: number;
  /** The parsed body, or null when the answer was empty or not JSON. */
  readonly problem: Problem | null;
  /** `problem.violations` (e.g. each broken password rule on a 422), or []. */
  readonly violations: ProblemViolation[];
  /** From the Retry-After header (429, 503), when the server sent one. */
  readonly retryAfterSeconds: number | undefined;
}

/** The request never got an answer (offline, DNS, CORS, timeout, aborted). The cause is the fetch error. */
export declare class NetworkError extends SesameError {
  constructor(cause?: unknown);
  readonly code: 'network_error';
}
