/**
 * A small file of secrets or trust decisions in the data dir: read whole, written atomically
 * (temp file + rename) with mode 0600, so no other local user can read it and a crash never
 * leaves half a file.
 */
export interface PrivateFile {
  /** The text, or null when the file does not exist yet. */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export function privateFile(path: string): PrivateFile {
  return {
    async read() {
      try {
        return await Deno.readTextFile(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    async write(text) {
      const tmp = `${path}.tmp`;
      await Deno.writeTextFile(tmp, text, { mode: 0o600 });
      if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
      await Deno.rename(tmp, path);
    },
  };
}

/** A PrivateFile in memory (tests). */
export function memoryPrivateFile(initial: string | null = null): PrivateFile & {
  text: string | null;
  writes: number;
} {
  const file = {
    text: initial,
    writes: 0,
    read: () => Promise.resolve(file.text),
    write: (text: string) => {
      file.text = text;
      file.writes++;
      return Promise.resolve();
    },
  };
  return file;
}
