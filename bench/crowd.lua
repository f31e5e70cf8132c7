-- Crowd: 20 hotspots, positions jittered up to 150 m, 4 radii, 5 category choices.
package.path = "bench/?.lua;" .. package.path
local common = require("common")
local hotspots = {
  {1.5947, 50.7308}, {1.6140, 50.7256}, {1.5988, 50.7272}, {1.6150, 50.7261}, {1.6169, 50.7256},
  {1.6072, 50.7233}, {1.5969, 50.7261}, {1.5925, 50.7340}, {1.5995, 50.7322}, {1.6183, 50.7412},
  {1.6111, 50.7247}, {1.6122, 50.7239}, {1.6009, 50.7295}, {1.5850, 50.7300}, {1.6050, 50.7300},
  {1.6105, 50.7706}, {1.5828, 50.8681}, {1.5744, 50.7075}, {1.6006, 50.8053}, {1.5633, 50.6983},
}
local radii = {250, 500, 1000, 2000}
local categories = {"", "museum", "restaurant", "church,museum", "cafe"}
-- BENCH_API_KEY: the keyed crowd (issue 16), a third party's key on every request.
local api_key = os.getenv("BENCH_API_KEY")
local headers = api_key and {["X-API-Key"] = api_key} or nil
-- BENCH_NEARBY_PATH: the same queries to bench/crowd_baseline.py's route (issue 19).
local nearby_path = os.getenv("BENCH_NEARBY_PATH") or "/api/v1/pois/nearby"

function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)) end

function request()
  local spot = hotspots[math.random(#hotspots)]
  local distance, bearing = 150 * math.sqrt(math.random()), 2 * math.pi * math.random()
  local lat = spot[2] + distance * math.cos(bearing) / 111320
  local lon = spot[1] + distance * math.sin(bearing) / (111320 * math.cos(math.rad(spot[2])))
  local path = string.format("%s?lat=%.6f&lon=%.6f&radius=%d", nearby_path, lat, lon, radii[math.random(#radii)])
  local category = categories[math.random(#categories)]
  if category ~= "" then path = path .. "&category=" .. category end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests) common.report(summary, latency) end
