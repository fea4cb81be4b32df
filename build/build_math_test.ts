import assert from "node:assert/strict";
import { stop } from "esbuild";
import { MATH_MODULE, renderMathModule } from "./build_math.ts";

Deno.test("assets/math_bundle.ts matches ui/math (rebuild: deno run -A build/build_math.ts)", async () => {
  try {
    assert.equal(await Deno.readTextFile(MATH_MODULE), await renderMathModule());
  } finally {
    await stop();
  }
});

Deno.test("the maths module renders TeX to MathML on its own", async () => {
  const { mathJs } = await import("../assets/math_bundle.ts");
  const url = `data:text/javascript;base64,${new TextEncoder().encode(mathJs).toBase64()}`;
  const katex = await import(url);
  assert.match(katex.renderToString("x^2", { output: "mathml" }), /<msup>/);
});
