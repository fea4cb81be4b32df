/** LLM sharing messages (`LLMC:`, `LREQ:`, `LRES:` and the inference stream markers). Owned by core/llm. */
export const llmSchemas = {} as const;
