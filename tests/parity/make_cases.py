#!/usr/bin/env python3
"""Writes cases.json for the native/wasm parity check (see parity_ops.hpp).

Only inputs are generated here; the expected answer of every case is whatever
the native build says, and the wasm build must say exactly the same. Inputs are
the published vector tables' inputs plus grids over edge values.
    python3 tests/parity/make_cases.py > tests/parity/cases.json
"""
import json
import pathlib

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors"


def table(name):
    return json.loads((VECTORS / name).read_text())


cases = []
add = cases.append

# Encodings: every length from 0 to 41 bytes, and malformed text.
for n in range(42):
    data = bytes((i * 37 + n) % 256 for i in range(n)).hex()
    add({"op": "base32_encode", "hex": data})
    add({"op": "base64url_encode", "hex": data})
for text in ["", "MY======", "my", "MZXW6YTBOI", "M1", "MZ======", "Zg", "Zh", "-_8", "Zg==", "a b", "\u00e9"]:
    add({"op": "base32_decode", "text": text})
    add({"op": "base64url_decode", "text": text})

# One-time passwords: RFC seeds over counters, times, hashes, digits and periods.
seeds = {"SHA1": b"12345678901234567890", "SHA256": b"12345678901234567890" * 2 + b"12",
         "SHA512": b"1234567890" * 6 + b"1234"}
for algorithm, seed in seeds.items():
    # JS numbers stop being exact at 2**53, and the wasm side reads cases through JSON.parse.
    for counter in [0, 1, 9, 2**31, 2**32, 2**40 + 7, 2**53 - 1]:
        for digits in [6, 7, 8, 9, 5]:
            add({"op": "hotp", "secret_hex": seed.hex(), "counter": counter, "algorithm": algorithm, "digits": digits})
    for time in [0, 29, 30, 59, 1111111109, 1234567890, 2000000000, 20000000000, 253402300799, -1]:
        for period in [30, 60, 1, 3600, 0]:
            add({"op": "totp", "secret_hex": seed.hex(), "time": time, "algorithm": algorithm, "digits": 8, "period": period})
for code in ["94287082", "287082", "07081804", "9428708x", "", "942870821"]:
    for window in [0, 1, 2, 11]:
        for last_step in [None, 0, 1, 2]:
            case = {"op": "totp_verify", "secret_hex": seeds["SHA1"].hex(), "code": code, "time": 59,
                    "digits": 8 if len(code) == 8 else 6, "window": window}
            if last_step is not None:
                case["last_step"] = last_step
            add(case)
for algorithm in seeds:
    add({"op": "totp_secret", "algorithm": algorithm, "random_hex": bytes(range(7, 250, 3)).hex()})

# otpauth URIs: every table row, built and parsed.
otpauth = table("otpauth.json")
for row in otpauth["build"]:
    add({"op": "otpauth_build", **{k: row[k] for k in ("issuer", "account", "secret_hex", "algorithm", "digits", "period")}})
for key in ("parse", "invalid"):
    for row in otpauth[key]:
        add({"op": "otpauth_parse", "uri": row["uri"]})

# QR codes: every mode, size class and level, the capacity edges.
texts = ["1", "HELLO WORLD", "hello", "0123456789" * 30, "\u00e9t\u00e9 \u2603",
         "otpauth://totp/Sesame:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sesame&algorithm=SHA1&digits=6&period=30",
         "a" * 2331, "a" * 2332, ""]
for text in texts:
    for ecc in ["low", "medium", "quartile", "high"]:
        for border in [0, 4]:
            add({"op": "qr_svg", "text": text, "ecc": ecc, "border": border})

# JWS and JWT: the RFC 8037 key, the negative table's keys and tokens.
rfc8037 = table("rfc8037.json")
negative = table("jwt_negative.json")
seeds_hex = [k["seed_hex"] for k in negative["keys"]] + ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "00"]
for seed in seeds_hex:
    add({"op": "jwk_from_seed", "seed_hex": seed, "kid": ""})
    add({"op": "jws_sign", "seed_hex": seed, "header": '{"alg":"EdDSA"}', "payload_hex": b"Example of Ed25519 signing".hex()})
    add({"op": "jws_sign", "seed_hex": seed, "header": '{"alg":"HS256"}', "payload_hex": ""})
claims = {"iss": "https://auth.sesame.test", "sub": "user-123", "aud": "sesame-api", "exp": 1700000900,
          "iat": 1700000000, "jti": "jti-1", "sid": "sid-1", "tenant_id": "t-1", "roles": ["admin", "user"],
          "amr": ["pwd", "otp"], "extra": {"email": "\u00e9l\u00e8ve@example.com", "n": 1.5}}
for kid in ["sesame-test-1", ""]:
    add({"op": "access_token_sign", "seed_hex": seeds_hex[0], "kid": kid, "claims": claims})
    add({"op": "access_token_sign", "seed_hex": seeds_hex[0], "kid": kid, "claims": {**claims, "nbf": 1699999990, "extra": {}}})
add({"op": "access_token_sign", "seed_hex": seeds_hex[0], "kid": "k", "claims": {**claims, "sub": ""}})
options = negative["verify_options"][0]
jwks = json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": k["kid"],
                             "x": __import__("base64").urlsafe_b64encode(bytes.fromhex(k["public_hex"])).decode().rstrip("=")}
                            for k in negative["keys"]]})
for row in negative["tokens"]:
    add({"op": "jwt_decode", "token": row["token"]})
    for now in [options["now_unix_seconds"], options["now_unix_seconds"] + 10**6]:
        add({"op": "jwt_verify", "token": row["token"], "jwks": jwks, "issuer": options["issuer"],
             "audience": options["audience"], "now": now, "leeway": options["leeway_seconds"]})
for row in negative["jwks_invalid"]:
    add({"op": "jwt_verify", "token": negative["tokens"][0]["token"], "jwks": row["jwks"], "issuer": "i", "audience": "a", "now": 0})

# Password policy: the table's passwords and more, with contexts and policies.
passwords = [row["password"] for row in table("password_policy.json")["verdicts"] if "password" in row]
passwords += ["Password1", "iloveyou", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", "\U0001F512" * 8, "x" * 65, "x" * 64,
              "alice@example.com", "ALICE", "sesame2024!", "correct horse battery staple"]
for password in passwords:
    for policy in [(8, 64), (12, 128), (7, 63)]:
        add({"op": "password_check", "password": password, "min_length": policy[0], "max_length": policy[1],
             "email": "alice@example.com", "words": ["sesame"]})

# Backup codes: generation from fixed streams, normalisation and formatting.
for stream in [bytes(range(256)), bytes([7] * 64), bytes((i * 97 + 13) % 256 for i in range(500))]:
    for count in [0, 1, 10, 100, 101]:
        add({"op": "backup_generate", "count": count, "random_hex": stream.hex()})
codes = table("backup_codes.json")
for row in codes["normalize"] + codes["normalize_invalid"]:
    add({"op": "backup_normalize", "typed": row["typed"]})
for row in codes["format"]:
    add({"op": "backup_format", "code": row["code"]})

# Refresh planning: lifetimes, clock positions, jitter and policies.
for lifetime in [0, 1, 30, 60, 900, 3600, 86400]:
    for elapsed_permille in [-100, 0, 500, 799, 800, 950, 1000, 1500]:
        for jitter in [0.0, 0.5, 0.999999]:
            iat = 1_700_000_000
            add({"op": "refresh_plan", "iat": iat, "exp": iat + lifetime,
                 "now_ms": iat * 1000 + lifetime * elapsed_permille, "jitter": jitter})
for policy in [{}, {"refresh_after_permille": 0}, {"refresh_margin_ms": -1}, {"max_jitter_ms": 0}, {"max_delay_ms": 1000}]:
    add({"op": "refresh_plan", "iat": 1000, "exp": 1900, "now_ms": 1_000_000, "jitter": 0.25, "policy": policy})
for attempt in [0, 1, 2, 5, 10, 31, 32, 64, 4294967295]:
    for jitter in [0.0, 0.3, 0.999]:
        add({"op": "retry_delay", "attempt": attempt, "jitter": jitter})
add({"op": "session_table"})

# Contract: timestamps and request/response bodies.
for unix in [0, 1, 951782400, 2147483647, 2147483648, 4107542400, -1, -62167219200, 253402300799, 253402300800]:
    add({"op": "rfc3339_format", "unix": unix})
for text in ["1970-01-01T00:00:00Z", "2026-11-22T02:15:36Z", "2000-02-29T23:59:60Z", "2100-02-29T00:00:00Z",
             "1985-04-12T23:20:50.52Z", "1996-12-19T16:39:57-08:00", "2026-11-22t02:15:36z", "2026-13-01T00:00:00Z", ""]:
    add({"op": "rfc3339_parse", "text": text})
bodies = [
    ("RegisterRequest", '{"email":"alice@example.com","password":"correct horse","name":"Alice \u00e9"}'),
    ("RegisterRequest", '{"email":"not-an-email","password":"x"}'),
    ("RegisterRequest", '{"email":"a@b.c"}'),
    ("RegisterRequest", '[1,2]'),
    ("RegisterRequest", '{"email":"a@b.c","password":"' + "[" * 70 + '"}'),
    ("RegisterRequest", "[" * 100 + "]" * 100),
    ("TokenRequest", '{"email":"a@b.c","password":"p","delivery":"cookie"}'),
    ("TokenRequest", '{"email":"a@b.c","password":"p","delivery":"carrier pigeon"}'),
    ("TokenResponse", '{"access_token":"a.b.c","token_type":"Bearer","expires_in":900,"issued_at":"2026-11-22T02:15:36Z","kid":"k","session_id":"s","refresh_expires_in":2592000,"refresh_token":"r"}'),
    ("MfaVerifyRequest", '{"mfa_token":"m","code":"123456"}'),
    ("MfaVerifyRequest", '{"mfa_token":"m","code":123456}'),
    ("MfaVerifyRequest", '{"mfa_token":"m","code":"1","backup_code":"2"}'),
    ("SessionsResponse", '{"sessions":[{"id":"s","current":true,"created_at":"2026-11-22T02:15:36Z","last_active_at":"2026-11-22T02:15:36Z","ip":"127.0.0.1","user_agent":"curl"}]}'),
    ("AdminUpdateUserRequest", '{"name":null,"roles":["admin"]}'),
    ("Problem", '{"type":"about:blank","title":"Unprocessable Content","status":422,"code":"validation_failed","violations":[{"code":"password_too_short","pointer":"/password"}]}'),
]
for type_name, body in bodies:
    add({"op": "contract", "type": type_name, "body": body})

print(json.dumps(cases, ensure_ascii=False, indent=0))
