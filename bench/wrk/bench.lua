-- Shared by the endpoint scripts (LUA_PATH points here; bench/tools/measure.py
-- runs wrk). It counts answers by kind in each thread, paces requests when
-- BENCH_RATE is set, and prints one "BENCH_RESULT {json}" line at the end.
--
-- Environment (set by measure.py):
--   BENCH_DATA       a file the endpoint script reads (users, tokens, pairs)
--   BENCH_THREADS    wrk's -t, so each thread knows its share
--   BENCH_RATE       requests/s for the whole wrk process; unset or 0 = as fast as possible
--   BENCH_DONE_FILE  bounded scripts (a fixed set of requests) append a line per finished thread
local M = {}

local ffi = require "ffi"
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *out);
]]
local timespec = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1

-- Wall-clock milliseconds (os.clock is CPU time, os.time whole seconds).
function M.now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

M.thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")

-- The lines of BENCH_DATA; with `share`, only this thread's (every n-th line).
function M.data_lines(share)
  local path = os.getenv("BENCH_DATA")
  assert(path and path ~= "", "BENCH_DATA is not set")
  local lines, index = {}, 0
  for line in io.lines(path) do
    if line ~= "" then
      if not share or index % M.thread_count == thread_id then table.insert(lines, line) end
      index = index + 1
    end
  end
  assert(#lines > 0, "no lines for this thread in " .. path)
  return lines
end

function M.split_tab(line)
  local fields = {}
  for field in line:gmatch("[^\t]+") do table.insert(fields, field) end
  return fields
end

-- Per-thread counters; read by done() in the main state through thread:get.
ok_2xx, busy_503, other_non_2xx, first_ms, last_ms = 0, 0, 0, nil, nil

-- Counts one answer. A 503 counts as the hashing pool's honest refusal only
-- when it carries Retry-After.
function M.count(status, headers)
  last_ms = M.now_ms()
  if status >= 200 and status < 300 then
    ok_2xx = ok_2xx + 1
    return true
  end
  local retry_after = false
  for name in pairs(headers or {}) do
    if name:lower() == "retry-after" then retry_after = true end
  end
  if status == 503 and retry_after then busy_503 = busy_503 + 1 else other_non_2xx = other_non_2xx + 1 end
  return false
end

-- wrk calls request() once in thread 0 before any connection opens, only to
-- check that it parses (script_verify_request); that request is never sent.
-- Scripts whose requests are single-use answer that call without using one up.
local check_answered = false
function M.is_wrk_check()
  if thread_id == 0 and not check_answered then
    check_answered = true
    return true
  end
  return false
end

-- The first request's time, for scripts that stop early (rate over their own span).
function M.started()
  if not first_ms then first_ms = M.now_ms() end
end

-- A bounded script calls this when its thread has had every answer it waits for.
function M.thread_finished()
  local path = os.getenv("BENCH_DONE_FILE")
  if path and path ~= "" then
    local file = io.open(path, "a")
    file:write("done\n")
    file:close()
  end
  wrk.thread:stop()
end

local threads = {}
local next_thread_id = 0

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

-- Pacing: each thread hands out send slots at its share of BENCH_RATE. wrk asks
-- delay() before every request of every connection, so the slots are shared by
-- the thread's connections. A stall of over a second is not made up in a burst.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local interval_ms = 1000 * M.thread_count / rate
  local next_slot_ms = nil
  function delay()
    local now = M.now_ms()
    if not next_slot_ms or next_slot_ms < now - 1000 then next_slot_ms = now end
    local wait = next_slot_ms - now
    next_slot_ms = next_slot_ms + interval_ms
    return math.max(0, math.floor(wait))
  end
end

function done(summary, latency, requests)
  local ok, busy, other, first, last = 0, 0, 0, nil, nil
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok_2xx")
    busy = busy + thread:get("busy_503")
    other = other + thread:get("other_non_2xx")
    local f, l = thread:get("first_ms"), thread:get("last_ms")
    if f and (not first or f < first) then first = f end
    if l and (not last or l > last) then last = l end
  end
  local errors = summary.errors
  local span_ms = (first and last) and (last - first) or -1
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"span_s":%.3f,"ok_2xx":%d,"busy_503":%d,"other_non_2xx":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f}}\n',
    summary.requests, summary.duration / 1e6, span_ms / 1000, ok, busy, other,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end

return M
