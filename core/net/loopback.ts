/** True for a host name or address only this machine reaches (`localhost`, 127/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || host.startsWith("127.");
}
