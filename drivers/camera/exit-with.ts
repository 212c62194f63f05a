/**
 * Sends a last IPC message and exits once it is written (or after half a second if the parent
 * is not reading). Returns, so callers `return exitWith(...)` and stop what they were doing.
 */
let exiting = false;

export function exitWith(message: unknown, code: number): void {
  if (exiting) return;
  exiting = true;
  setTimeout(() => process.exit(code), 500).unref();
  if (process.send && process.connected) process.send(message, undefined, {}, () => process.exit(code));
  else process.exit(code);
}

export function isExiting(): boolean {
  return exiting;
}
