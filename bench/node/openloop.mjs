// Open-loop load: requests sent at a fixed rate whatever the answers (loadtest's --rps mode), for
// BENCH_OPEN_S seconds; prints one JSON line with the achieved rate, errors and latency percentiles
// (p50, p90, p99, p99.9, max) computed from every request's own latency, in ms to 0.01 ms.
// With a rate of `closed:<n>`, the same requests go over n connections each waiting for its answer (a closed
// loop): the capacity that this generator, on the same cores, lets the service reach.
//   node openloop.mjs <base url> <rate per second | closed:n> <seconds> <workload: nearby|crowd|path> [path]
import { loadTest } from "loadtest";

const [base, rateText, secondsText, workload, fixedPath] = process.argv.slice(2);
const closedConnections = rateText.startsWith("closed:") ? Number(rateText.slice(7)) : 0;
const rate = closedConnections ? 0 : Number(rateText);
const seconds = Number(secondsText);
const REGION = [1.45, 50.55, 1.85, 50.95];
const HOTSPOTS = [
  [1.5947, 50.7308], [1.614, 50.7256], [1.5988, 50.7272], [1.615, 50.7261], [1.6169, 50.7256],
  [1.6072, 50.7233], [1.5969, 50.7261], [1.5925, 50.734], [1.5995, 50.7322], [1.6183, 50.7412],
  [1.6111, 50.7247], [1.6122, 50.7239], [1.6009, 50.7295], [1.585, 50.73], [1.605, 50.73],
  [1.6105, 50.7706], [1.5828, 50.8681], [1.5744, 50.7075], [1.6006, 50.8053], [1.5633, 50.6983],
];
const RADII = [250, 500, 1000, 2000];
const CATEGORIES = ["", "museum", "restaurant", "church,museum", "cafe"];
const pick = (items) => items[Math.floor(Math.random() * items.length)];

// The same request mixes as the wrk scripts (nearby.lua, crowd.lua).
function nextPath() {
  if (workload === "nearby") {
    const lon = REGION[0] + Math.random() * (REGION[2] - REGION[0]);
    const lat = REGION[1] + Math.random() * (REGION[3] - REGION[1]);
    return `/api/v1/pois/nearby?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}`;
  }
  if (workload === "crowd") {
    const [lon0, lat0] = pick(HOTSPOTS);
    const distance = 150 * Math.sqrt(Math.random());
    const bearing = 2 * Math.PI * Math.random();
    const lat = lat0 + (distance * Math.cos(bearing)) / 111320;
    const lon = lon0 + (distance * Math.sin(bearing)) / (111320 * Math.cos((lat0 * Math.PI) / 180));
    const category = pick(CATEGORIES);
    return `/api/v1/pois/nearby?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}&radius=${pick(RADII)}${category ? `&category=${category}` : ""}`;
  }
  return fixedPath;
}

// Each answer is timed from the moment its request is written to the end of its body, in hundredths of a
// millisecond (loadtest's own requestElapsed is in whole, truncated milliseconds: too coarse for a 5 ms tail).
const precise = [];
let answered = 0;
let errors = 0;
const started = Date.now();
await loadTest({
  url: base + (fixedPath || "/"),
  ...(closedConnections ? { concurrency: closedConnections } : { requestsPerSecond: rate }),
  maxSeconds: seconds,
  agentKeepAlive: true,
  quiet: true,
  timeout: 10_000,
  requestGenerator(params, options, request, callback) {
    options.path = nextPath();
    const sent = process.hrtime.bigint();
    const outgoing = request(options, callback);
    outgoing.on("response", (response) =>
      response.on("end", () => precise.push(Math.round(Number(process.hrtime.bigint() - sent) / 1e4) / 100)),
    );
    outgoing.end();
    return outgoing;
  },
  statusCallback(error, result) {
    if (error || !result) errors += 1;
    else answered += 1;
  },
});
const elapsed = (Date.now() - started) / 1000;
precise.sort((a, b) => a - b);
const at = (q) => (precise.length ? precise[Math.min(precise.length - 1, Math.floor(q * precise.length))] : null);
console.log(
  "OPENLOOP_JSON " +
    JSON.stringify({
      target_rps: rate,
      achieved_rps: Math.round((answered / elapsed) * 10) / 10,
      requests: answered,
      errors,
      p50_ms: at(0.5),
      p90_ms: at(0.9),
      p99_ms: at(0.99),
      p999_ms: at(0.999),
      max_ms: precise.length ? precise[precise.length - 1] : null,
    }),
);
