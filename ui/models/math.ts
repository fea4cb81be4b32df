import { type ReadonlySignal, signal } from "@preact/signals";
import { onMathWanted, setTexRenderer, type TexRenderer } from "../lib/math.ts";

/** Where the page's maths module is served (core/http/pwa_routes.ts, assets/math_bundle.ts). */
const MATH_MODULE_URL = "/assets/math.js";

/**
 * Loads KaTeX the first time an answer holds maths; `ready` turns true once it is in, and the
 * answers showing maths render again (ui/components/Markdown.tsx reads it).
 */
export interface MathModel {
  readonly ready: ReadonlySignal<boolean>;
  load(): Promise<void>;
}

export function createMathModel(
  { importModule = (url: string) => import(url) }: {
    importModule?: (url: string) => Promise<{ renderToString: TexRenderer }>;
  } = {},
): MathModel {
  const ready = signal(false);
  let loading: Promise<void> | null = null;
  const load = () => {
    loading ??= importModule(MATH_MODULE_URL).then(
      (katex) => {
        setTexRenderer(katex.renderToString);
        ready.value = true;
      },
      (error) => {
        console.warn("maths renderer not loaded", error);
        loading = null; // a later answer with maths tries again
      },
    );
    return loading;
  };
  onMathWanted(() => void load());
  return { ready, load };
}
