// Keeps server/openapi/openapi.json true: runs the real sesame-server, checks
// that it serves the document, that every documented operation exists, that
// every route the source registers is documented, and validates every answer
// of real flows (success and failure) against the document with ajv. An
// answer whose status the document does not list is a failure.
//
//   SESAME_SERVER_BIN=build/native/server/sesame-server node --test tests/contract/

import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { Contract } from "./support/contract.mjs";
import { startServer } from "./support/server.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DOCUMENT_PATH = path.join(ROOT, "server/openapi/openapi.json");
const BINARY = path.resolve(ROOT, process.env.SESAME_SERVER_BIN ?? "build/native/server/sesame-server");
const COOKIE = "__Host-sesame_refresh";
const RATE_LIMIT_PER_IP = 3;
const LOCKOUT_MAX_FAILURES = 3;

const documentText = readFileSync(DOCUMENT_PATH, "utf8");
const contract = new Contract(JSON.parse(documentText));

let server;
let devServer;  // SESAME_DEV=1 (the dev mailbox) and SESAME_REQUIRE_VERIFIED_EMAIL=1

// Each request comes from its own address (X-Forwarded-For, trusted by this
// server) unless a test names one, so the per-IP limiter only counts where a
// test means it to. The addresses are loopback ones and only ever header text.
let nextAddress = 1;
const freshAddress = () => {
  const n = nextAddress++;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

// One exchange, validated against the document. Options: json (an object to
// send as application/json), body + contentType (raw), bearer, cookie,
// headers, from (client address), expect (status), on (the server; default the main one).
async function call(method, target, options = {}) {
  const headers = { "X-Forwarded-For": options.from ?? freshAddress(), ...(options.headers ?? {}) };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] = "application/json";
  }
  if (options.contentType) headers["Content-Type"] = options.contentType;
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  if (options.cookie) headers.Cookie = `${COOKIE}=${options.cookie}`;

  const exchange = await (options.on ?? server).request(method, target, { headers, body });
  const requestPath = target.split("?")[0];
  const { body: parsed } = contract.check(method, requestPath, exchange);
  if (exchange.status < 300 && body !== undefined && headers["Content-Type"] === "application/json") {
    contract.checkAcceptedRequestBody(method, requestPath, body);
  }
  if (options.expect !== undefined) {
    assert.equal(exchange.status, options.expect, `${method} ${target}: ${exchange.text}`);
  }
  return { ...exchange, body: parsed };
}

// A concrete path for a documented template: files are probed with ones that
// exist, other parameters with any value.
const probeTarget = (template) => template.replace("/demo/{path}", "/demo/app.js")
  .replace("/sdk/{path}", "/sdk/package.json").replaceAll(/\{[^}]+\}/g, "contract-probe");

const uniqueEmail = (label) => `${label}-${randomBytes(6).toString("hex")}@example.test`;
const PASSWORD = "violet staircase under 42 lanterns";
const NEW_PASSWORD = "seven quiet harbours at dawn 19";

async function register(email = uniqueEmail("user"), password = PASSWORD) {
  await call("POST", "/api/v1/auth/register", { json: { email, password }, expect: 201 });
  return email;
}

async function signIn(email, password = PASSWORD, delivery) {
  const json = delivery ? { email, password, delivery } : { email, password };
  return (await call("POST", "/api/v1/auth/token", { json, expect: 200 })).body;
}

function refreshCookieOf(response) {
  const cookies = response.headers["set-cookie"] ?? [];
  const cookie = cookies.find((c) => c.startsWith(`${COOKIE}=`));
  assert.ok(cookie, `no ${COOKIE} in Set-Cookie: ${JSON.stringify(cookies)}`);
  return cookie;
}

// The main server's bootstrap admin (a global admin), for the admin routes.
const ADMIN_EMAIL = "operator@example.test";
const ADMIN_PASSWORD = "amber lighthouse keeps 7 ships";

before(async () => {
  const secrets = mkdtempSync(path.join(tmpdir(), "sesame-contract-"));
  writeFileSync(path.join(secrets, "admin-password"), `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  server = await startServer(BINARY, {
    SESAME_ADMIN_EMAIL: ADMIN_EMAIL,
    SESAME_ADMIN_PASSWORD_FILE: path.join(secrets, "admin-password"),
    SESAME_ARGON2_MEMORY_KIB: "64",
    SESAME_ARGON2_ITERATIONS: "1",
    SESAME_TRUST_PROXY: "1",
    SESAME_RATE_LIMIT_PER_IP: String(RATE_LIMIT_PER_IP),
    SESAME_LOCKOUT_MAX_FAILURES: String(LOCKOUT_MAX_FAILURES),
    SESAME_REFRESH_REUSE_GRACE: "0",
  });
  devServer = await startServer(BINARY, {
    SESAME_ARGON2_MEMORY_KIB: "64",
    SESAME_ARGON2_ITERATIONS: "1",
    SESAME_TRUST_PROXY: "1",
    SESAME_DEV: "1",
    SESAME_REQUIRE_VERIFIED_EMAIL: "1",
    SESAME_PUBLIC_URL: "https://auth.example.test",
  });
});

after(async () => {
  if (server) await server.stop();
  if (devServer) await devServer.stop();
});

describe("the document", () => {
  test("is served at /api/v1/openapi.json byte for byte as in the source tree", async () => {
    const response = await call("GET", "/api/v1/openapi.json", { expect: 200 });
    assert.equal(response.text, documentText, "rebuild sesame-server: it embeds server/openapi/openapi.json at build time");
  });

  test("every schema in it compiles in strict mode and every reference resolves", () => {
    assert.ok(contract.compileAll() >= 30);
  });

  test("every documented operation exists on the server", async () => {
    for (const { method, template } of contract.operations()) {
      const target = probeTarget(template);
      // The dev mailbox exists only in dev mode.
      const targetServer = template.startsWith("/api/v1/dev/") ? devServer : server;
      const exchange = await targetServer.request(method, target, { headers: { "X-Forwarded-For": freshAddress() } });
      assert.ok(![404, 405].includes(exchange.status), `${method} ${template} is documented but the server answers ${exchange.status}`);
      contract.check(method, target, exchange);
    }
  });

  test("every route the server registers is documented, and only those", () => {
    const registered = new Set();
    const files = readdirSync(path.join(ROOT, "server/src"), { recursive: true }).filter((f) => f.endsWith(".cpp"));
    const perFile = {};
    for (const file of files) {
      const source = readFileSync(path.join(ROOT, "server/src", file), "utf8");
      for (const match of source.matchAll(/router\.add(?:_async)?\(\s*(?:http::)?Method::(\w+?)_?\s*,\s*"([^"]+)"/g)) {
        const route = `${match[1].toUpperCase()} ${match[2].replaceAll(/[:*](\w+)/g, "{$1}")}`;
        registered.add(route);
        perFile[file] = (perFile[file] ?? 0) + 1;
      }
    }
    // The textual scan must keep finding the routes where they are registered.
    assert.ok(perFile["api/auth_routes.cpp"] >= 5, `routes found in api/auth_routes.cpp: ${perFile["api/auth_routes.cpp"]}`);
    assert.ok(perFile["app/app.cpp"] >= 3, `routes found in app/app.cpp: ${perFile["app/app.cpp"]}`);
    const documented = new Set(contract.operations().map(({ method, template }) => `${method} ${template}`));
    assert.deepEqual([...registered].filter((r) => !documented.has(r)).sort(), [], "registered but not documented");
    assert.deepEqual([...documented].filter((r) => !registered.has(r)).sort(), [], "documented but not registered");
  });

  test("the problem codes are exactly the API problem codes of error.hpp", () => {
    const header = readFileSync(path.join(ROOT, "core/include/sesame/error.hpp"), "utf8");
    const section = header.slice(header.indexOf("malformed_json = 600"), header.indexOf("};", header.indexOf("malformed_json = 600")));
    const codes = [...section.matchAll(/^\s*(\w+)\s*(?:=\s*\d+\s*)?,/gm)].map((m) => m[1]);
    assert.ok(codes.length >= 20, `parsed ${codes.length} codes from error.hpp`);
    assert.deepEqual([...contract.document.components.schemas.Problem.properties.code.enum].sort(), codes.sort());
  });

  test("the violation codes are the body-field codes, the password policy's rules and the server's breach check", () => {
    const header = readFileSync(path.join(ROOT, "core/include/sesame/password_policy.hpp"), "utf8");
    const start = header.indexOf("enum class PasswordViolationCode");
    const rules = [...header.slice(start, header.indexOf("};", start)).matchAll(/^\s*(password_\w+)\s*(?:=\s*\d+\s*)?,/gm)].map((m) => m[1]);
    assert.ok(rules.length >= 5, `parsed ${rules.length} rules from password_policy.hpp`);
    assert.deepEqual([...contract.document.components.schemas.ProblemViolation.properties.code.enum].sort(),
                     ["invalid_field", "missing_field", "password_breached", ...rules].sort());
  });
});

describe("registration", () => {
  test("creates an account (201) and refuses the same email again (409)", async () => {
    const email = uniqueEmail("reg");
    const created = await call("POST", "/api/v1/auth/register", { json: { email, password: PASSWORD, name: "Ada" }, expect: 201 });
    assert.equal(created.body.user.email, email);
    assert.equal(created.body.user.name, "Ada");
    const again = await call("POST", "/api/v1/auth/register", { json: { email, password: PASSWORD }, expect: 409 });
    assert.equal(again.body.code, "email_taken");
  });

  test("a weak password is a 422 password_policy_violation naming the rules", async () => {
    const response = await call("POST", "/api/v1/auth/register", { json: { email: uniqueEmail("weak"), password: "password" }, expect: 422 });
    assert.equal(response.body.code, "password_policy_violation");
    assert.ok(response.body.violations.every((v) => v.pointer === "/password"));
  });

  test("a missing member is a 422 validation_failed with its pointer", async () => {
    const response = await call("POST", "/api/v1/auth/register", { json: { password: PASSWORD }, expect: 422 });
    assert.equal(response.body.code, "validation_failed");
    assert.deepEqual(response.body.violations.map((v) => [v.code, v.pointer]), [["missing_field", "/email"]]);
  });

  test("malformed JSON is a 400, another media type a 415, an oversized body a 413", async () => {
    const malformed = await call("POST", "/api/v1/auth/register", { body: '{"email": ', contentType: "application/json", expect: 400 });
    assert.equal(malformed.body.code, "malformed_json");
    const text = await call("POST", "/api/v1/auth/register", { body: "email=a@b.c", contentType: "text/plain", expect: 415 });
    assert.equal(text.body.code, "unsupported_media_type");
    const huge = JSON.stringify({ email: uniqueEmail("huge"), password: "x".repeat(70 * 1024) });
    const tooLarge = await call("POST", "/api/v1/auth/register", { body: huge, contentType: "application/json", expect: 413 });
    assert.equal(tooLarge.body.code, "payload_too_large");
  });

  test("the per-IP limiter answers 429 rate_limited with Retry-After", async () => {
    const from = freshAddress();
    for (let i = 0; i < RATE_LIMIT_PER_IP; ++i) {
      await call("POST", "/api/v1/auth/register", { json: {}, from, expect: 422 });
    }
    const limited = await call("POST", "/api/v1/auth/register", { json: {}, from, expect: 429 });
    assert.equal(limited.body.code, "rate_limited");
    assert.ok(Number(limited.headers["retry-after"]) > 0);
    // The limiter is per address across the credential endpoints.
    await call("POST", "/api/v1/auth/token", { json: {}, from, expect: 429 });
    await call("POST", "/api/v1/auth/refresh", { json: {}, from, expect: 429 });
  });
});

describe("sign-in", () => {
  test("body delivery returns the refresh token; cookie delivery sets only the cookie", async () => {
    const email = await register();
    const body = await signIn(email);
    assert.equal(typeof body.refresh_token, "string");
    const cookieMode = await call("POST", "/api/v1/auth/token", { json: { email, password: PASSWORD, delivery: "cookie" }, expect: 200 });
    assert.equal(cookieMode.body.refresh_token, undefined);
    const cookie = refreshCookieOf(cookieMode);
    for (const attribute of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]) {
      assert.match(cookie, new RegExp(`;\\s*${attribute}(;|$)`, "i"), cookie);
    }
  });

  test("a wrong password and an unknown email get the same 401", async () => {
    const email = await register();
    const wrong = await call("POST", "/api/v1/auth/token", { json: { email, password: "not the password at all" }, expect: 401 });
    const unknown = await call("POST", "/api/v1/auth/token", { json: { email: uniqueEmail("nobody"), password: PASSWORD }, expect: 401 });
    assert.equal(wrong.body.code, "invalid_credentials");
    const { request_id: _a, ...wrongRest } = wrong.body;
    const { request_id: _b, ...unknownRest } = unknown.body;
    assert.deepEqual(wrongRest, unknownRest);
  });

  test("a bad delivery value is a 422, malformed JSON a 400, a missing body a 415", async () => {
    const response = await call("POST", "/api/v1/auth/token", { json: { email: uniqueEmail("d"), password: PASSWORD, delivery: "carrier-pigeon" }, expect: 422 });
    assert.deepEqual(response.body.violations.map((v) => v.pointer), ["/delivery"]);
    await call("POST", "/api/v1/auth/token", { body: "{]", contentType: "application/json", expect: 400 });
    await call("POST", "/api/v1/auth/token", { expect: 415 });
  });

  test("repeated failures lock the account: 429 account_locked with Retry-After", async () => {
    const email = await register();
    for (let i = 0; i < LOCKOUT_MAX_FAILURES; ++i) {
      await call("POST", "/api/v1/auth/token", { json: { email, password: "wrong guess number " + i }, expect: 401 });
    }
    const locked = await call("POST", "/api/v1/auth/token", { json: { email, password: PASSWORD }, expect: 429 });
    assert.equal(locked.body.code, "account_locked");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
  });
});

describe("the signed-in user", () => {
  test("me answers the user with a bearer token and 401 without or with a bad one", async () => {
    const email = await register();
    const tokens = await signIn(email);
    const me = await call("GET", "/api/v1/auth/me", { bearer: tokens.access_token, expect: 200 });
    assert.equal(me.body.email, email);
    assert.equal((await call("GET", "/api/v1/auth/me", { expect: 401 })).body.code, "unauthorized");
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: "not-a-jwt", expect: 401 })).body.code, "invalid_token");
    const [header, payload, signature] = tokens.access_token.split(".");
    const tampered = `${header}.${payload}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: tampered, expect: 401 })).body.code, "invalid_token");
  });

  test("the client's X-Request-Id is echoed in the header and the problem", async () => {
    const response = await call("GET", "/api/v1/auth/me", { headers: { "X-Request-Id": "contract-test-request-1" }, expect: 401 });
    assert.equal(response.headers["x-request-id"], "contract-test-request-1");
    assert.equal(response.body.request_id, "contract-test-request-1");
  });
});

describe("refresh", () => {
  test("body refresh rotates; the rotated-out token revokes the session", async () => {
    const email = await register();
    const first = await signIn(email);
    const second = (await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: first.refresh_token }, expect: 200 })).body;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.session_id, first.session_id);
    const reused = await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: first.refresh_token }, expect: 401 });
    assert.equal(reused.body.code, "refresh_token_reused");
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: second.access_token, expect: 401 })).body.code, "session_revoked");
    assert.equal((await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: second.refresh_token }, expect: 401 })).body.code, "invalid_token");
  });

  test("cookie refresh needs the CSRF header (403), then rotates the cookie", async () => {
    const email = await register();
    const signedIn = await call("POST", "/api/v1/auth/token", { json: { email, password: PASSWORD, delivery: "cookie" }, expect: 200 });
    const token = refreshCookieOf(signedIn).split(";")[0].slice(COOKIE.length + 1);
    const refused = await call("POST", "/api/v1/auth/refresh", { cookie: token, expect: 403 });
    assert.equal(refused.body.code, "csrf_check_failed");
    const foreign = await call("POST", "/api/v1/auth/refresh", {
      cookie: token, headers: { "X-Sesame-Csrf": "1", Origin: "https://evil.example" }, expect: 403 });
    assert.equal(foreign.body.code, "csrf_check_failed");
    const rotated = await call("POST", "/api/v1/auth/refresh", { cookie: token, headers: { "X-Sesame-Csrf": "1" }, expect: 200 });
    assert.equal(rotated.body.refresh_token, undefined);
    assert.notEqual(refreshCookieOf(rotated).split(";")[0].slice(COOKIE.length + 1), token);
    const stale = await call("POST", "/api/v1/auth/refresh", { cookie: "unknown-token", headers: { "X-Sesame-Csrf": "1" }, expect: 401 });
    assert.equal(stale.body.code, "invalid_token");
    assert.match(refreshCookieOf(stale), /Max-Age=0/i, "a refused cookie refresh clears the cookie");
  });

  test("no token, an unknown one, malformed JSON and a bad member are refused", async () => {
    assert.equal((await call("POST", "/api/v1/auth/refresh", { json: {}, expect: 401 })).body.code, "invalid_token");
    assert.equal((await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: "nope" }, expect: 401 })).body.code, "invalid_token");
    await call("POST", "/api/v1/auth/refresh", { body: "{", contentType: "application/json", expect: 400 });
    await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: 42 }, expect: 422 });
    assert.equal((await call("POST", "/api/v1/auth/refresh", { expect: 401 })).body.code, "invalid_token");
    await call("POST", "/api/v1/auth/refresh", { body: "token", contentType: "text/plain", expect: 415 });
  });
});

describe("sessions", () => {
  test("list, revoke one (then 404), revoke the others", async () => {
    const email = await register();
    const a = await signIn(email);
    const b = await signIn(email);
    const c = await signIn(email);
    const listed = await call("GET", "/api/v1/auth/sessions", { bearer: a.access_token, expect: 200 });
    assert.deepEqual(listed.body.sessions.map((s) => s.id).sort(), [a.session_id, b.session_id, c.session_id].sort());
    assert.deepEqual(listed.body.sessions.filter((s) => s.current).map((s) => s.id), [a.session_id]);

    await call("DELETE", `/api/v1/auth/sessions/${b.session_id}`, { bearer: a.access_token, expect: 204 });
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: b.access_token, expect: 401 })).body.code, "session_revoked");
    assert.equal((await call("DELETE", `/api/v1/auth/sessions/${b.session_id}`, { bearer: a.access_token, expect: 404 })).body.code, "not_found");
    await call("DELETE", "/api/v1/auth/sessions/no-such-session", { bearer: a.access_token, expect: 404 });

    await call("DELETE", "/api/v1/auth/sessions", { bearer: a.access_token, expect: 204 });
    await call("GET", "/api/v1/auth/me", { bearer: c.access_token, expect: 401 });
    const left = await call("GET", "/api/v1/auth/sessions", { bearer: a.access_token, expect: 200 });
    assert.deepEqual(left.body.sessions.map((s) => s.id), [a.session_id]);
    await call("GET", "/api/v1/auth/sessions", { expect: 401 });
    await call("DELETE", "/api/v1/auth/sessions", { expect: 401 });
  });

  test("logout ends the session and clears the cookie", async () => {
    const email = await register();
    const tokens = await signIn(email);
    const out = await call("POST", "/api/v1/auth/logout", { bearer: tokens.access_token, expect: 204 });
    assert.match(refreshCookieOf(out), /Max-Age=0/i);
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: tokens.access_token, expect: 401 })).body.code, "session_revoked");
    await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: tokens.refresh_token }, expect: 401 });
    await call("POST", "/api/v1/auth/logout", { expect: 401 });
    await call("POST", "/api/v1/auth/logout", { bearer: tokens.access_token, body: "bye", contentType: "text/plain", expect: 415 });
  });

  test("logout with only the refresh cookie needs the CSRF header, then ends the session", async () => {
    const email = await register();
    const signedIn = await call("POST", "/api/v1/auth/token", { json: { email, password: PASSWORD, delivery: "cookie" }, expect: 200 });
    const token = refreshCookieOf(signedIn).split(";")[0].slice(COOKIE.length + 1);
    assert.equal((await call("POST", "/api/v1/auth/logout", { cookie: token, expect: 403 })).body.code, "csrf_check_failed");
    const out = await call("POST", "/api/v1/auth/logout", { cookie: token, headers: { "X-Sesame-Csrf": "1" }, expect: 204 });
    assert.match(refreshCookieOf(out), /Max-Age=0/i);
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: signedIn.body.access_token, expect: 401 })).body.code, "session_revoked");
    const again = await call("POST", "/api/v1/auth/logout", { cookie: token, headers: { "X-Sesame-Csrf": "1" }, expect: 401 });
    assert.equal(again.body.code, "invalid_token");
  });
});

describe("password change", () => {
  test("refuses a wrong current password, a weak or missing new one; then changes and revokes the others", async () => {
    const email = await register();
    const current = await signIn(email);
    const other = await signIn(email);
    const bearer = current.access_token;
    const path = "/api/v1/auth/password/change";
    const wrong = await call("POST", path, { bearer, json: { current_password: "wrong one entirely", new_password: NEW_PASSWORD }, expect: 401 });
    assert.equal(wrong.body.code, "invalid_credentials");
    const weak = await call("POST", path, { bearer, json: { current_password: PASSWORD, new_password: "password" }, expect: 422 });
    assert.equal(weak.body.code, "password_policy_violation");
    assert.ok(weak.body.violations.every((v) => v.pointer === "/new_password"));
    const missing = await call("POST", path, { bearer, json: { current_password: PASSWORD }, expect: 422 });
    assert.equal(missing.body.code, "validation_failed");
    await call("POST", path, { bearer, body: "[", contentType: "application/json", expect: 400 });
    await call("POST", path, { bearer, body: "current=x", contentType: "application/x-www-form-urlencoded", expect: 415 });
    await call("POST", path, { json: { current_password: PASSWORD, new_password: NEW_PASSWORD }, expect: 401 });

    await call("POST", path, { bearer, json: { current_password: PASSWORD, new_password: NEW_PASSWORD }, expect: 204 });
    await call("GET", "/api/v1/auth/me", { bearer, expect: 200 });
    assert.equal((await call("GET", "/api/v1/auth/me", { bearer: other.access_token, expect: 401 })).body.code, "session_revoked");
    await call("POST", "/api/v1/auth/token", { json: { email, password: PASSWORD }, expect: 401 });
    await signIn(email, NEW_PASSWORD);
  });
});

describe("mfa", () => {
  // RFC 6238 with SHA-1, 6 digits, 30 s, from the base32 secret the server handed out.
  const totp = (secret, unixSeconds) => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = "";
    for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
    const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
    const mac = createHmac("sha1", key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0xf;
    return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
  };
  const now = () => Date.now() / 1000;
  const wrongCode = (secret) => {
    const near = [-30, 0, 30].map((offset) => totp(secret, now() + offset));
    return ["000000", "111111", "222222", "333333"].find((code) => !near.includes(code));
  };

  // Registered, signed in, TOTP confirmed at the current step: later codes come from the next one.
  async function enrolled() {
    const email = await register();
    const { access_token: access } = await signIn(email);
    const started = await call("POST", "/api/v1/auth/mfa/totp/setup", { bearer: access, expect: 200 });
    const { secret } = started.body;
    await call("POST", "/api/v1/auth/mfa/totp/confirm", { bearer: access, json: { code: wrongCode(secret) }, expect: 401 });
    const confirmed = await call("POST", "/api/v1/auth/mfa/totp/confirm", { bearer: access, json: { code: totp(secret, now()) }, expect: 200 });
    return { email, access, secret, backupCodes: confirmed.body.backup_codes };
  }

  test("setup with an empty body or {password}, confirm, and 409s", async () => {
    const email = await register();
    const { access_token: access } = await signIn(email);
    await call("POST", "/api/v1/auth/mfa/totp/confirm", { bearer: access, json: { code: "123456" }, expect: 409 });
    const first = await call("POST", "/api/v1/auth/mfa/totp/setup", { bearer: access, json: { password: PASSWORD }, expect: 200 });
    assert.match(first.body.otpauth_uri, /^otpauth:\/\/totp\//);
    const { secret } = (await call("POST", "/api/v1/auth/mfa/totp/setup", { bearer: access, expect: 200 })).body;
    await call("POST", "/api/v1/auth/mfa/totp/confirm", { bearer: access, json: {}, expect: 422 });
    const confirmed = await call("POST", "/api/v1/auth/mfa/totp/confirm", { bearer: access, json: { code: totp(secret, now()) }, expect: 200 });
    assert.equal(confirmed.body.backup_codes.length, 10);
    await call("POST", "/api/v1/auth/mfa/totp/setup", { bearer: access, expect: 409 });
    const me = await call("GET", "/api/v1/auth/me", { bearer: access, expect: 200 });
    assert.equal(me.body.mfa_enabled, true);
    assert.equal(me.body.backup_codes_remaining, 10);
    await call("POST", "/api/v1/auth/mfa/totp/setup", { expect: 401 });
  });

  test("sign-in answers an MfaChallenge; verify with a code (body) and a backup code (cookie)", async () => {
    const user = await enrolled();
    const challenge = await signIn(user.email);
    assert.equal(challenge.mfa_required, true);
    assert.equal(challenge.access_token, undefined);
    await call("POST", "/api/v1/auth/mfa/verify", { json: { mfa_token: challenge.mfa_token, code: wrongCode(user.secret) }, expect: 401 });
    const tokens = await call("POST", "/api/v1/auth/mfa/verify", { json: { mfa_token: challenge.mfa_token, code: totp(user.secret, now() + 30) }, expect: 200 });
    assert.equal(typeof tokens.body.refresh_token, "string");
    const used = await call("POST", "/api/v1/auth/mfa/verify", { json: { mfa_token: challenge.mfa_token, code: "123456" }, expect: 401 });
    assert.equal(used.body.code, "mfa_token_invalid");

    const again = await signIn(user.email, PASSWORD, "cookie");
    const cookieMode = await call("POST", "/api/v1/auth/mfa/verify", {
      json: { mfa_token: again.mfa_token, backup_code: user.backupCodes[0].toUpperCase(), delivery: "cookie" }, expect: 200 });
    assert.equal(cookieMode.body.refresh_token, undefined);
    refreshCookieOf(cookieMode);
    await call("POST", "/api/v1/auth/mfa/verify", { json: { mfa_token: again.mfa_token }, expect: 422 });
  });

  test("regenerate needs a current code; disable needs the password and a code", async () => {
    const user = await enrolled();
    await call("POST", "/api/v1/auth/mfa/backup-codes/regenerate", { bearer: user.access, json: { code: wrongCode(user.secret) }, expect: 401 });
    const fresh = await call("POST", "/api/v1/auth/mfa/backup-codes/regenerate", { bearer: user.access, json: { code: totp(user.secret, now() + 30) }, expect: 200 });
    assert.equal(fresh.body.backup_codes.length, 10);
    const wrongPassword = await call("POST", "/api/v1/auth/mfa/totp/disable", { bearer: user.access, json: { password: NEW_PASSWORD, backup_code: fresh.body.backup_codes[0] }, expect: 401 });
    assert.equal(wrongPassword.body.code, "invalid_credentials");
    await call("POST", "/api/v1/auth/mfa/totp/disable", { bearer: user.access, json: { password: PASSWORD, backup_code: user.backupCodes[0] }, expect: 401 });
    await call("POST", "/api/v1/auth/mfa/totp/disable", { bearer: user.access, json: { password: PASSWORD, backup_code: fresh.body.backup_codes[0] }, expect: 204 });
    await call("POST", "/api/v1/auth/mfa/totp/disable", { bearer: user.access, json: { password: PASSWORD, code: "123456" }, expect: 409 });
    await call("POST", "/api/v1/auth/mfa/backup-codes/regenerate", { bearer: user.access, json: { code: "123456" }, expect: 409 });
  });
});

describe("routing and public endpoints", () => {
  test("an unknown path is a 404; another method a 405 with Allow", async () => {
    assert.equal((await call("GET", "/api/v1/no-such-thing", { expect: 404 })).body.code, "not_found");
    assert.equal((await call("PUT", "/api/v1/auth/me", { expect: 405 })).body.code, "method_not_allowed");
    await call("GET", "/api/v1/auth/token", { expect: 405 });
    await call("PATCH", "/api/v1/auth/sessions", { expect: 405 });
    await call("POST", "/.well-known/jwks.json", { expect: 405 });
  });

  test("a body over the limit is refused with 413 whatever the method", async () => {
    const huge = JSON.stringify({ padding: "x".repeat(70 * 1024) });
    for (const { method, template } of contract.operations()) {
      const target = probeTarget(template);
      const response = await call(method, target, { body: huge, contentType: "application/json", expect: 413 });
      assert.equal(response.body.code, "payload_too_large");
    }
    await call("GET", "/api/v1/no-such-thing", { body: huge, contentType: "application/json", expect: 413 });
  });

  test("jwks publishes the key that signed an access token", async () => {
    const tokens = await signIn(await register());
    const jwks = await call("GET", "/.well-known/jwks.json", { expect: 200 });
    assert.ok(jwks.body.keys.some((key) => key.kid === tokens.kid), `kid ${tokens.kid} not in the JWKS`);
  });

  test("healthz and readyz answer", async () => {
    await call("GET", "/healthz", { expect: 200 });
    const ready = await call("GET", "/readyz", { expect: 200 });
    assert.equal(ready.body.database, "sqlite");
  });
});

describe("recovery", () => {
  // The token of the newest link to `action` in the dev mailbox of `email`.
  async function mailedToken(email, action) {
    const mailbox = await call("GET", `/api/v1/dev/mailbox?to=${encodeURIComponent(email)}`, { on: devServer, expect: 200 });
    const texts = mailbox.body.messages.map((m) => m.text).filter((t) => t.includes(`action=${action}`));
    assert.ok(texts.length > 0, `no ${action} mail to ${email}`);
    const match = texts.at(-1).match(/https:\/\/auth\.example\.test\/\?action=[a-z-]+&token=([A-Za-z0-9_-]{43})/);
    assert.ok(match, texts.at(-1));
    return match[1];
  }

  test("reset initiate answers 202 with no body for any address", async () => {
    const known = await call("POST", "/api/v1/auth/password/reset/initiate", { json: { email: await register() }, expect: 202 });
    const unknown = await call("POST", "/api/v1/auth/password/reset/initiate", { json: { email: uniqueEmail("nobody") }, expect: 202 });
    assert.equal(known.text, "");
    assert.equal(unknown.text, "");
    await call("POST", "/api/v1/auth/password/reset/initiate", { json: { mail: "x" }, expect: 422 });
    await call("POST", "/api/v1/auth/password/reset/initiate", { body: "{", contentType: "application/json", expect: 400 });
  });

  test("forged tokens are refused with their own codes", async () => {
    const reset = await call("POST", "/api/v1/auth/password/reset/complete", { json: { token: "forged", new_password: NEW_PASSWORD }, expect: 400 });
    assert.equal(reset.body.code, "reset_token_invalid");
    const verify = await call("POST", "/api/v1/auth/email/verify", { json: { token: "forged" }, expect: 400 });
    assert.equal(verify.body.code, "verification_token_invalid");
    await call("POST", "/api/v1/auth/email/verify", { json: {}, expect: 422 });
  });

  test("the dev mailbox is absent outside dev mode and needs `to` in it", async () => {
    await call("GET", "/api/v1/dev/mailbox?to=a@example.test", { expect: 404 });
    await call("GET", "/api/v1/dev/mailbox", { on: devServer, expect: 422 });
  });

  test("verification by mail, then reset by mail, on a server that requires verified addresses", async () => {
    const email = uniqueEmail("recover");
    await call("POST", "/api/v1/auth/register", { on: devServer, json: { email, password: PASSWORD }, expect: 201 });
    const refused = await call("POST", "/api/v1/auth/token", { on: devServer, json: { email, password: PASSWORD }, expect: 403 });
    assert.equal(refused.body.code, "email_not_verified");
    await call("POST", "/api/v1/auth/email/verify/resend", { on: devServer, json: { email }, expect: 202 });
    await call("POST", "/api/v1/auth/email/verify", { on: devServer, json: { token: await mailedToken(email, "verify-email") }, expect: 204 });
    const tokens = (await call("POST", "/api/v1/auth/token", { on: devServer, json: { email, password: PASSWORD }, expect: 200 })).body;
    const me = await call("GET", "/api/v1/auth/me", { on: devServer, bearer: tokens.access_token, expect: 200 });
    assert.equal(me.body.email_verified, true);

    await call("POST", "/api/v1/auth/password/reset/initiate", { on: devServer, json: { email }, expect: 202 });
    const token = await mailedToken(email, "reset-password");
    const weak = await call("POST", "/api/v1/auth/password/reset/complete", { on: devServer, json: { token, new_password: "short" }, expect: 422 });
    assert.equal(weak.body.code, "password_policy_violation");
    await call("POST", "/api/v1/auth/password/reset/complete", { on: devServer, json: { token, new_password: NEW_PASSWORD }, expect: 204 });
    const revoked = await call("GET", "/api/v1/auth/me", { on: devServer, bearer: tokens.access_token, expect: 401 });
    assert.equal(revoked.body.code, "session_revoked");
    await call("POST", "/api/v1/auth/token", { on: devServer, json: { email, password: NEW_PASSWORD }, expect: 200 });
  });

  test("resend with a Bearer token answers 202, a bad one 401", async () => {
    const tokens = await signIn(await register());
    await call("POST", "/api/v1/auth/email/verify/resend", { bearer: tokens.access_token, expect: 202 });
    const refused = await call("POST", "/api/v1/auth/email/verify/resend", { bearer: "not-a-token", expect: 401 });
    assert.equal(refused.body.code, "invalid_token");
  });
});

describe("admin", () => {
  test("users: list, create (with a password and as an invitation), change, end sessions, clear the lockout", async () => {
    const admin = (await call("POST", "/api/v1/auth/token", { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, expect: 200 })).body.access_token;
    const email = uniqueEmail("managed");
    await register(email);
    const user = (await signIn(email)).access_token;
    await call("GET", "/api/v1/admin/users", { expect: 401 });
    await call("GET", "/api/v1/admin/users", { bearer: user, expect: 403 });
    const page = (await call("GET", `/api/v1/admin/users?limit=1&email=${encodeURIComponent(email)}`, { bearer: admin, expect: 200 })).body;
    const id = page.users[0].id;
    await call("GET", "/api/v1/admin/users?limit=nope", { bearer: admin, expect: 422 });
    await call("POST", "/api/v1/admin/users", { bearer: admin, json: { email: uniqueEmail("chosen"), password: PASSWORD }, expect: 201 });
    await call("POST", "/api/v1/admin/users", { bearer: admin, json: { email: uniqueEmail("invited") }, expect: 201 });
    await call("POST", "/api/v1/admin/users", { bearer: admin, json: { email, password: PASSWORD }, expect: 409 });
    await call("POST", "/api/v1/admin/users", { bearer: admin, json: { password: PASSWORD }, expect: 422 });
    await call("PATCH", `/api/v1/admin/users/${id}`, { bearer: admin, json: { name: "Managed", roles: ["auditor"] }, expect: 200 });
    await call("PATCH", "/api/v1/admin/users/no-such-user", { bearer: admin, json: { disabled: true }, expect: 404 });
    await call("DELETE", `/api/v1/admin/users/${id}/sessions`, { bearer: admin, expect: 204 });
    await call("GET", "/api/v1/auth/me", { bearer: user, expect: 401 });
    await call("DELETE", `/api/v1/admin/users/${id}/lockout`, { bearer: admin, expect: 204 });
    const audit = (await call("GET", `/api/v1/admin/audit?user_id=${id}&limit=2`, { bearer: admin, expect: 200 })).body;
    assert.equal(audit.events[0].actor_id !== null, true);
    await call("GET", `/api/v1/admin/audit?cursor=${audit.next_cursor}`, { bearer: admin, expect: 200 });
  });

  test("tenants: create, refuse a duplicate, list, disable", async () => {
    const admin = (await call("POST", "/api/v1/auth/token", { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, expect: 200 })).body.access_token;
    const id = `t-${randomBytes(4).toString("hex")}`;
    await call("POST", "/api/v1/admin/tenants", { bearer: admin, json: { id }, expect: 201 });
    await call("POST", "/api/v1/admin/tenants", { bearer: admin, json: { id }, expect: 409 });
    await call("POST", "/api/v1/admin/tenants", { bearer: admin, json: { id: "Upper" }, expect: 422 });
    assert.ok((await call("GET", "/api/v1/admin/tenants", { bearer: admin, expect: 200 })).body.tenants.some((t) => t.id === id));
    await call("POST", "/api/v1/auth/register", { json: { email: uniqueEmail("member"), password: PASSWORD, tenant_id: id }, expect: 201 });
    await call("PATCH", `/api/v1/admin/tenants/${id}`, { bearer: admin, json: { disabled: true }, expect: 200 });
    await call("POST", "/api/v1/auth/register", { json: { email: uniqueEmail("late"), password: PASSWORD, tenant_id: id }, expect: 403 });
    await call("PATCH", "/api/v1/admin/tenants/nowhere", { bearer: admin, json: { disabled: true }, expect: 404 });
  });
});

describe("coverage", () => {
  test("report what was validated", (t) => {
    const documented = contract.documentedResponses();
    const unexercised = documented.filter((key) => !contract.observed.has(key));
    t.diagnostic(`${contract.validated} responses validated against the document`);
    t.diagnostic(`${documented.length - unexercised.length} of ${documented.length} documented responses exercised`);
    // 500 and 503 (a failing store, a full hashing pool, shutting down) and
    // 403 account_disabled (no admin API yet) have no deterministic trigger here.
    t.diagnostic(`not exercised: ${unexercised.join("; ")}`);
    assert.ok(contract.validated > 0);
  });
});
