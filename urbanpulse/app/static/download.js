// "Download this walk for offline": the service's vector tiles around the line (zoom 12 to 17) and the
// photos of the walk and its stops, fetched once so that the service worker keeps them.
const MIN_ZOOM = 12;
const MAX_ZOOM = 17;
const MAX_TILES = 2_000;
const PARALLEL = 6;

export function tilesAround(lines, margin = 0.002) {
  const points = lines.flat();
  const west = Math.min(...points.map((p) => p[0])) - margin;
  const east = Math.max(...points.map((p) => p[0])) + margin;
  const south = Math.min(...points.map((p) => p[1])) - margin;
  const north = Math.max(...points.map((p) => p[1])) + margin;
  const tiles = [];
  for (let z = MIN_ZOOM; z <= MAX_ZOOM; z += 1) {
    const n = 2 ** z;
    const x = (lon) => Math.floor(((lon + 180) / 360) * n);
    const y = (lat) => {
      const rad = (lat * Math.PI) / 180;
      return Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
    };
    for (let tx = x(west); tx <= x(east); tx += 1) {
      for (let ty = y(north); ty <= y(south); ty += 1) tiles.push(`/api/v1/tiles/${z}/${tx}/${ty}.mvt`);
    }
  }
  return tiles.slice(0, MAX_TILES);
}

export async function download(urls, progress) {
  let done = 0;
  let failed = 0;
  const queue = [...urls];
  async function worker() {
    while (queue.length) {
      const url = queue.shift();
      try {
        const response = await fetch(url);
        if (!response.ok && response.status !== 204) failed += 1;
      } catch {
        failed += 1;
      }
      done += 1;
      progress(done, urls.length);
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { done, failed };
}
