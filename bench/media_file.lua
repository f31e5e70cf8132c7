-- One served image file (BENCH_PATH, e.g. a 640-px WebP), fetched again and again as a CDN miss would.
package.path = "bench/?.lua;" .. package.path
local common = require("common")
local path = os.getenv("BENCH_PATH")

function request() return wrk.format("GET", path) end

function done(summary, latency, requests) common.report(summary, latency) end
