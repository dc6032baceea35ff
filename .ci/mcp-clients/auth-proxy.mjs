// A loopback proxy that adds `krisp-tui mcp --http`'s bearer token to every request, for the
// conformance suite's server mode (which cannot send headers of its own). Everything else,
// the Host and Origin headers included, passes through unchanged.
//
// Usage: node auth-proxy.mjs TARGET_URL TOKEN  ->  prints its own URL (same path) on stdout.
import http from "node:http";

const [target, token] = process.argv.slice(2);
const to = new URL(target);
const server = http.createServer((req, res) => {
  const upstream = http.request(
    {
      host: to.hostname,
      port: to.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, authorization: `Bearer ${token}` },
    },
    (reply) => {
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on("error", (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(upstream);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`http://localhost:${server.address().port}${to.pathname}`);
});
