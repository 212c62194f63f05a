import { forkTiedWorker } from '../../drivers/camera/tied-worker.js';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import type { ChainReport } from './integrity.js';

type WorkerReply = { progress: number } | { report: ChainReport } | { error: string };

/**
 * Verifies a journal's whole chain in a child process (see chain-check-worker.ts) and resolves
 * with its report; rejects when the check itself could not run. `signal` ends it early.
 */
export function checkChainInBackground(path: string, signal?: AbortSignal, onProgress?: (checked: number) => void): Promise<ChainReport> {
  const entry = workerEntry(import.meta.url, 'chain-check-worker');
  return new Promise((resolve, reject) => {
    const child = forkTiedWorker(entry, [path], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], ...(signal ? { signal } : {}) });
    let stderr = '';
    let done = false;
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()).slice(-2000));
    child.on('message', (msg: WorkerReply) => {
      if ('progress' in msg) onProgress?.(msg.progress);
      else if ('report' in msg) {
        done = true;
        resolve(msg.report);
      } else {
        done = true;
        reject(new Error(msg.error));
      }
    });
    child.on('error', (err) => {
      if (!done) reject(err);
      done = true;
    });
    child.on('exit', (code, sig) => {
      if (!done) reject(new Error(`the chain check exited (${sig ?? code}) without a report${stderr ? `: ${stderr.trim()}` : ''}`));
      done = true;
    });
  });
}
