-- GET /api/v1/auth/me with bearer tokens; BENCH_DATA: one access token a line,
-- used round robin so the server sees many sessions.
local bench = require "bench"
local requests_by_token = {}

function init(args)
  for _, token in ipairs(bench.data_lines(true)) do
    table.insert(requests_by_token, wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. token }))
  end
end

local next_index = 0
function request()
  next_index = next_index % #requests_by_token + 1
  return requests_by_token[next_index]
end

function response(status, headers, body)
  bench.count(status, headers)
end
