/** The hints LMM error messages end with: the CLI names its flags, the studio names Settings and Retry. */
export type LmmWording = 'cli' | 'studio';

/** What a user does about each failure, in the words of the CLI (flags) and of the studio (Settings, Retry). */
export const HINTS = {
  unreachable: { cli: 'start Ollama or pass --lmm-url', studio: 'start the LMM server, or change its address in Settings' },
  dropped: { cli: 'check that the server is running and stable', studio: 'check that the LMM server is running, then retry' },
  timeout: { cli: 'raise --lmm-timeout or use a smaller model', studio: 'retry, or choose a smaller model in Settings' },
  deadline: { cli: 'raise --lmm-deadline or use a smaller model', studio: 'retry, or choose a smaller model in Settings' },
  busy: { cli: 'try later, or use a server with more capacity', studio: 'retry in a moment' },
  credentials: { cli: 'check $M3C_LMM_API_KEY', studio: 'check the API key in Settings' },
  server: { cli: 'check the server log', studio: "check the LMM server's log, then retry" },
  rejected: { cli: 'check --model and --lmm-url', studio: 'check the model and the address in Settings' },
  protocol: { cli: 'is it an OpenAI-compatible endpoint? check the server log', studio: "is it an OpenAI-compatible endpoint? check the LMM server's log" },
} as const satisfies Record<string, Record<LmmWording, string>>;

