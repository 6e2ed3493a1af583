// Typed errors. Every error the SDK throws is a SesameError whose `code` is a
// stable snake_case name: the server's problem `code` for HTTP failures, the
// core's error name for local checks, `network_error` when no answer came.

export class SesameError extends Error {
  constructor(code, message, options) {
    super(message || code, options);
    this.name = 'SesameError';
    this.code = code;
  }
}

// The server answered with application/problem+json (RFC 9457).
export class AuthApiError extends SesameError {
  constructor(problem, status, retryAfterSeconds) {
    // Whatever a proxy answered instead of problem+json is not kept as a problem.
    if (problem === null || typeof problem !== 'object' || Array.isArray(problem)) problem = null;
    const code = typeof problem?.code === 'string' ? problem.code : status >= 500 ? 'internal_error' : 'unknown_error';
    super(code, problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'AuthApiError';
    this.status = status;
    this.problem = problem ?? null;
    this.violations = Array.isArray(problem?.violations) ? problem.violations : [];
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

// The request never got an answer (offline, DNS, CORS, aborted).
export class NetworkError extends SesameError {
  constructor(cause) {
    super('network_error', 'the server could not be reached', { cause });
    this.name = 'NetworkError';
  }
}
