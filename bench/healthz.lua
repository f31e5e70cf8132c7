-- The web stack's own ceiling: the trivial /healthz endpoint.
package.path = "bench/?.lua;" .. package.path
local common = require("common")

function request() return wrk.format("GET", "/healthz") end

function done(summary, latency, requests) common.report(summary, latency) end
