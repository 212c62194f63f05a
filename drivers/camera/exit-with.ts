/**
 * Sends a last IPC message, then ends the process with SIGKILL once it is written (or after
 * half a second if the parent is not reading). Not process.exit(): its teardown can block on
 * GStreamer's streaming threads and leave a hung worker behind. The parent takes the reason
 * from the message. Returns, so callers `return exitWith(...)` and stop what they were doing.
 */
let exiting = false;

function die(): void {
  process.kill(process.pid, 'SIGKILL');
}

export function exitWith(message: unknown): void {
  if (exiting) return;
  exiting = true;
  setTimeout(die, 500).unref();
  if (process.send && process.connected) process.send(message, undefined, {}, die);
  else die();
}

export function isExiting(): boolean {
  return exiting;
}
