-- POST /api/v1/auth/mfa/verify over a fixed set of (mfa_token, TOTP code) pairs,
-- BENCH_DATA lines "mfa_token<TAB>code", each pair from a different enrolled
-- user. A challenge is single-use and a user's code is accepted once per 30 s
-- step (RFC 6238 §5.2), so the set cannot be replayed: each thread sends its
-- share once, then its connections go idle (empty request) and the thread stops
-- after its last answer. The rate is taken over the span from the first request
-- to the last answer.
local bench = require "bench"
local requests, next_index, answers = {}, 0, 0

function init(args)
  for _, line in ipairs(bench.data_lines(true)) do
    local pair = bench.split_tab(line)
    table.insert(requests, wrk.format("POST", "/api/v1/auth/mfa/verify", { ["Content-Type"] = "application/json" },
      string.format('{"mfa_token":"%s","code":"%s"}', pair[1], pair[2])))
  end
end

function request()
  if bench.is_wrk_check() then return requests[1] end
  bench.started()
  if next_index >= #requests then return "" end
  next_index = next_index + 1
  return requests[next_index]
end

function response(status, headers, body)
  bench.count(status, headers)
  answers = answers + 1
  if answers == #requests then bench.thread_finished() end
end
