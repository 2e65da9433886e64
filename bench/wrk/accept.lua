-- POST /cases/{id}/accept for the cases listed in BENCH_IDS, each thread taking every n-th id.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local ids, pos, step = {}, 0, 1
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
  pos = tonumber(wrk.thread:get("tid")) + 1
  step = tonumber(os.getenv("BENCH_THREADS"))
  wrk.method = "POST"
  wrk.body = "{}"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function request()
  local id = ids[pos] or ids[1]
  pos = pos + step
  return wrk.format(nil, "/api/v1/cases/" .. id .. "/accept")
end

done = report
