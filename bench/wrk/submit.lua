-- POST one multipart submission (payload JSON + 3 files) per request, each with its own Idempotency-Key.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local body, counter, tid = nil, 0, 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
  body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.path = os.getenv("BENCH_PATH")
  wrk.body = body
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("BENCH_BOUNDARY")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  tid = tonumber(wrk.thread:get("tid")) or 0
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", os.getenv("BENCH_RUN"), tid, counter)
  return wrk.format()
end

done = report
