-- GET BENCH_PATH with a bearer token (worklist pages).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

function init(args)
  wrk.path = os.getenv("BENCH_PATH")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

done = report
