-- wrk script for bench/load.sh: optional random claim ids, and a JSON summary line.
-- CLAIM_MIN/CLAIM_MAX set: each request asks for /claims/<random id in range>.
local min_id = tonumber(os.getenv("CLAIM_MIN") or "")
local max_id = tonumber(os.getenv("CLAIM_MAX") or "")

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

request = function()
  if min_id and max_id then
    return wrk.format(nil, "/claims/" .. math.random(min_id, max_id))
  end
  return wrk.format(nil)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeouts": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.timeout, e.status))
end
