import { type OllamaDouble, type OllamaDoubleOptions, startOllamaDouble } from "./server.ts";

/** Starts a double, runs `fn` with a client of its URL, always closes it (no leaks). */
export async function withDouble<Client>(
  options: OllamaDoubleOptions,
  client: (url: string) => Client,
  fn: (double: OllamaDouble, client: Client) => Promise<void>,
): Promise<void> {
  const double = await startOllamaDouble(options);
  try {
    await fn(double, client(double.url));
  } finally {
    await double.close();
  }
}
