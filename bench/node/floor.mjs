// The floor of the open-loop runs: the smallest HTTP answer Node can give ({"status":"ok"}, keep-alive), so
// the same generator at the same rate against it shows what the generator and the machine add to any tail.
//   node floor.mjs <port>
import http from "node:http";

const port = Number(process.argv[2]);
const body = Buffer.from('{"status":"ok"}');
http
  .createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    response.end(body);
  })
  .listen(port, "127.0.0.1", () => console.log(`FLOOR_READY ${port}`));
