import assert from "node:assert/strict";
import { markdownToHtml } from "../lib/markdown.ts";
import { setTexRenderer } from "../lib/math.ts";
import { createMathModel } from "./math.ts";

Deno.test("the maths renderer is loaded once, when an answer first holds maths", async () => {
  setTexRenderer(null);
  const urls: string[] = [];
  const model = createMathModel({
    importModule: (url) => {
      urls.push(url);
      return Promise.resolve({ renderToString: (tex: string) => `<math>${tex}</math>` });
    },
  });
  try {
    assert.doesNotMatch(markdownToHtml("no formula here"), /math/);
    assert.deepEqual(urls, [], "nothing loaded without maths");
    assert.match(markdownToHtml("$x$ and $y$"), /math-pending/);
    await model.load();
    assert.deepEqual(urls, ["/assets/math.js"], "loaded once");
    assert.equal(model.ready.value, true);
    assert.match(markdownToHtml("$x$"), /<math>x<\/math>/);
  } finally {
    setTexRenderer(null);
  }
});

Deno.test("a failed load is tried again by the next answer with maths", async () => {
  setTexRenderer(null);
  let attempts = 0;
  const warn = console.warn;
  console.warn = () => {};
  const model = createMathModel({
    importModule: () => {
      attempts++;
      return attempts === 1
        ? Promise.reject(new Error("offline"))
        : Promise.resolve({ renderToString: () => "<math></math>" });
    },
  });
  try {
    await model.load();
    assert.equal(model.ready.value, false);
    await model.load();
    assert.equal(model.ready.value, true);
    assert.equal(attempts, 2);
  } finally {
    console.warn = warn;
    setTexRenderer(null);
  }
});
