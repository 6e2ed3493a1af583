-- POST /api/v1/auth/register with a new address every time (BENCH_RUN_ID keeps
-- runs apart). Every answer costs the server one Argon2id hash and an outbox row.
local bench = require "bench"
local run_id = os.getenv("BENCH_RUN_ID") or "run"
local counter = 0

function request()
  counter = counter + 1  -- wrk's check call (bench.is_wrk_check) just skips an address
  return wrk.format("POST", "/api/v1/auth/register", { ["Content-Type"] = "application/json" },
    string.format('{"email":"reg-%s-%d-%d@bench.example","password":"tidal quartz lantern orbit 7"}',
      run_id, thread_id, counter))
end

function response(status, headers, body)
  bench.count(status, headers)
end
