-- One fixed request, BENCH_PATH (the viewport cases: the same bbox and limit every time).
package.path = "bench/?.lua;" .. package.path
local common = require("common")
local path = os.getenv("BENCH_PATH")

function request() return wrk.format("GET", path) end

function done(summary, latency, requests) common.report(summary, latency) end
