-- POST /api/v1/auth/token (password step); BENCH_DATA: "email<TAB>password" lines,
-- used round robin. Every answer costs the server one Argon2id verification.
local bench = require "bench"
local requests = {}

function init(args)
  for _, line in ipairs(bench.data_lines(true)) do
    local user = bench.split_tab(line)
    table.insert(requests, wrk.format("POST", "/api/v1/auth/token", { ["Content-Type"] = "application/json" },
      string.format('{"email":"%s","password":"%s"}', user[1], user[2])))
  end
end

local next_index = 0
function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function response(status, headers, body)
  bench.count(status, headers)
end
