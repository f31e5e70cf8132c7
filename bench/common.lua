-- Shared by the wrk scripts: random positions over the Boulogne region and a JSON summary line.
local M = {}
M.MIN_LON, M.MAX_LON, M.MIN_LAT, M.MAX_LAT = 1.45, 1.85, 50.55, 50.95

function M.random_position()
  return M.MIN_LON + math.random() * (M.MAX_LON - M.MIN_LON), M.MIN_LAT + math.random() * (M.MAX_LAT - M.MIN_LAT)
end

function M.report(summary, latency)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end

return M
