-- Paths from the file named by BENCH_PATHS (one per line), chosen at random; bearer token from BENCH_TOKEN.
-- done() prints one JSON line: rate, latency percentiles in ms, errors and non-2xx responses.
local paths = {}
local token = os.getenv("BENCH_TOKEN")

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rate": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d, "non2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status))
end
