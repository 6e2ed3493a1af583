-- POST /api/v1/auth/refresh, rotating: BENCH_DATA holds one refresh token a
-- line, each the head of its own session. A token goes out on one connection
-- at a time and its successor (parsed from the answer) goes back in the queue,
-- so every session is refreshed strictly in sequence, as one client would;
-- there must be at least as many tokens as connections. A refused refresh ends
-- that session's chain.
local bench = require "bench"
local queue, head, tail = {}, 1, 0

function init(args)
  for _, token in ipairs(bench.data_lines(true)) do
    tail = tail + 1
    queue[tail] = token
  end
end

local function refresh_request(token)
  return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" },
    string.format('{"refresh_token":"%s"}', token))
end

function request()
  if bench.is_wrk_check() then return refresh_request(queue[head]) end
  if head > tail then
    -- Every chain is in flight or dead: an empty request leaves this connection idle.
    return ""
  end
  local token = queue[head]
  queue[head] = nil
  head = head + 1
  return refresh_request(token)
end

function response(status, headers, body)
  if bench.count(status, headers) then
    local successor = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if successor then
      tail = tail + 1
      queue[tail] = successor
    end
  end
end
