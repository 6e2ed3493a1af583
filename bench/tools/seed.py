#!/usr/bin/env python3
"""Prepares what the wrk scripts send, over the server's own HTTP API.

  seed.py users      URL PREFIX COUNT OUT          register users; OUT: email<TAB>password
  seed.py tokens     URL USERS COUNT FIELD OUT     sign in COUNT times (users round robin);
                                                   OUT: the FIELD (access_token, refresh_token) of each
  seed.py mfa-enrol  URL PREFIX COUNT OUT          users with TOTP on; OUT: email<TAB>password<TAB>secret<TAB>last step
  seed.py mfa-pairs  URL ENROLLED OUT              one fresh challenge per enrolled user and the code of
                                                   the next step it may use; OUT: mfa_token<TAB>code.
                                                   ENROLLED's last steps are moved on.

TOTP codes are computed here (RFC 6238, standard library only). A user's code
is accepted once per step and never for a step at or before the last accepted
one, so each user's pair uses the step after its last; the server accepts one
step either side of its own, so at most one step ahead of now.
"""
import base64
import concurrent.futures
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "tidal quartz lantern orbit 7"
PARALLEL = 8  # below the hashing queue (64): seeding must never see a 503
AUTH = "/api/v1/auth"


def call(base, method, path, body=None, bearer=None, expect=(200,)):
    headers = {"Content-Type": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    if status not in expect:
        raise SystemExit(f"seed.py: {method} {path} answered {status}: {text[:300]!r}")
    return json.loads(text) if text else {}


def parallel(function, items):
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(function, items))


def totp(secret_base32, step, digits=6, algorithm="sha1"):
    secret = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    mac = hmac.new(secret, struct.pack(">Q", step), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


def current_step(period=30):
    return int(time.time()) // period


def register(base, email):
    call(base, "POST", f"{AUTH}/register", {"email": email, "password": PASSWORD}, expect=(201,))
    return email


def users(base, prefix, count, out):
    emails = parallel(lambda i: register(base, f"{prefix}-{i}@bench.example"), range(int(count)))
    with open(out, "w") as file:
        file.writelines(f"{email}\t{PASSWORD}\n" for email in emails)


def read_rows(path):
    with open(path) as file:
        return [line.rstrip("\n").split("\t") for line in file if line.strip()]


def tokens(base, users_file, count, field, out):
    rows = read_rows(users_file)

    def sign_in(i):
        email, password = rows[i % len(rows)][:2]
        return call(base, "POST", f"{AUTH}/token", {"email": email, "password": password})[field]

    values = parallel(sign_in, range(int(count)))
    with open(out, "w") as file:
        file.writelines(f"{value}\n" for value in values)


def enrol(base, email):
    register(base, email)
    access = call(base, "POST", f"{AUTH}/token", {"email": email, "password": PASSWORD})["access_token"]
    setup = call(base, "POST", f"{AUTH}/mfa/totp/setup", {}, bearer=access)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(setup["otpauth_uri"]).query)
    if query.get("algorithm", ["SHA1"])[0] != "SHA1" or query.get("digits", ["6"])[0] != "6" \
            or query.get("period", ["30"])[0] != "30":
        raise SystemExit(f"seed.py: unexpected TOTP parameters {query}")
    step = current_step()
    call(base, "POST", f"{AUTH}/mfa/totp/confirm", {"code": totp(setup["secret"], step)}, bearer=access)
    return [email, PASSWORD, setup["secret"], str(step)]


def mfa_enrol(base, prefix, count, out):
    rows = parallel(lambda i: enrol(base, f"{prefix}-{i}@bench.example"), range(int(count)))
    with open(out, "w") as file:
        file.writelines("\t".join(row) + "\n" for row in rows)


def mfa_pairs(base, enrolled, out):
    rows = read_rows(enrolled)
    # Each user's next usable step; wait until every one of them is inside the server's window.
    steps = [max(current_step(), int(row[3]) + 1) for row in rows]
    while max(steps) > current_step() + 1:
        print(f"    waiting {30 - int(time.time()) % 30} s for the next TOTP step", flush=True)
        time.sleep(30 - time.time() % 30 + 0.5)

    def challenge(row):
        answer = call(base, "POST", f"{AUTH}/token", {"email": row[0], "password": row[1]})
        if not answer.get("mfa_required"):
            raise SystemExit(f"seed.py: {row[0]} got no MFA challenge")
        return answer["mfa_token"]

    challenges = parallel(challenge, rows)
    with open(out, "w") as file:
        file.writelines(f"{token}\t{totp(row[2], step)}\n" for token, row, step in zip(challenges, rows, steps))
    with open(enrolled, "w") as file:
        file.writelines("\t".join(row[:3] + [str(step)]) + "\n" for row, step in zip(rows, steps))


COMMANDS = {"users": users, "tokens": tokens, "mfa-enrol": mfa_enrol, "mfa-pairs": mfa_pairs}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        raise SystemExit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
