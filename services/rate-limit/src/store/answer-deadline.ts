import { StoreTimeoutError } from './store-timeout-error';

/**
 * `answer`, or a StoreTimeoutError when it has not settled `timeoutMs` after this call. The verdict
 * waits for the event loop's next poll phase: when the process was busy past the deadline, timers
 * run before sockets are read, and an answer already waiting in the socket must still count (a busy
 * process is not a slow store).
 */
export function withAnswerDeadline<T>(answer: Promise<T>, timeoutMs: number, store: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new StoreTimeoutError(`${store} did not answer within ${timeoutMs} ms`));
      });
    }, timeoutMs);
    answer.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
