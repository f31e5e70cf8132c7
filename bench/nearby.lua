-- Uncached nearby: a random position anywhere in the region (default radius 1000 m, limit 20).
package.path = "bench/?.lua;" .. package.path
local common = require("common")
local category = os.getenv("BENCH_CATEGORY")

function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)) end

function request()
  local lon, lat = common.random_position()
  local path = string.format("/api/v1/pois/nearby?lat=%.6f&lon=%.6f", lat, lon)
  if category and category ~= "" then path = path .. "&category=" .. category end
  return wrk.format("GET", path)
end

function done(summary, latency, requests) common.report(summary, latency) end
