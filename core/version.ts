/** Version of this NeuroMesh build, shown by `--version`, in HELO frames and in /api/status. */
export const APP_VERSION = "0.1.0";
