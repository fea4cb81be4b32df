/**
 * Serves a blank page on each `HOST:PORT` given, so a browser test has pages on origins other
 * than the node's (a hostile page, an allowed web app). The test drives them with
 * `page.evaluate`; the page only offers a log list and frames that form posts can target.
 * Prints `listening` once every address is bound. Test code: run inside a lab namespace.
 */
const PAGE = (origin: string) =>
  `<!doctype html>
<html><head><meta charset="utf-8"><title>${origin}</title>
<style>body{font:14px system-ui;margin:16px}li{margin:2px 0}iframe{display:none}</style></head>
<body><h1>Page at ${origin}</h1><ol id="log"></ol></body></html>`;

const servers = Deno.args.map((address) => {
  const [hostname, port] = address.split(":");
  return Deno.serve(
    { hostname, port: Number(port), onListen: () => {} },
    (request) =>
      new Response(PAGE(new URL(request.url).origin), {
        headers: { "content-type": "text/html; charset=utf-8" },
      }),
  );
});
if (servers.length === 0) throw new Error("usage: origin_pages.ts HOST:PORT…");
console.log(`listening on ${Deno.args.join(", ")}`);
