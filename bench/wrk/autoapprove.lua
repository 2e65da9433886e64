-- POST an auto-approved application (the signed-in elderly citizen's own) with session cookie + CSRF token.
-- done() prints one JSON line like lookup.lua.
local body = os.getenv("BENCH_BODY")
local headers = {["Content-Type"] = "application/json", ["Cookie"] = os.getenv("BENCH_COOKIE"),
                 ["X-CSRFToken"] = os.getenv("BENCH_CSRF"), ["Referer"] = os.getenv("BENCH_REFERER")}

function request()
  return wrk.format("POST", "/api/v1/cases", headers, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rate": %.2f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d, "non2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status))
end
