/**
 * The maths renderer the page loads on demand (`/assets/math.js`), bundled apart from the page
 * by build/build_math.ts: KaTeX is larger than the rest of the page, and most answers hold no
 * maths.
 */
export { renderToString } from "katex";
