import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { stopSignalListener, stopSignalWindowMs } from './stop-signals';

function listen(windowMs?: number) {
  const clock = createManualClock();
  const heard: string[] = [];
  const listener = stopSignalListener({
    clock,
    windowMs,
    onStop: (signal) => heard.push(`stop ${signal}`),
    onRepeat: (signal) => heard.push(`repeat ${signal}`),
    onInsist: (signal) => heard.push(`insist ${signal}`),
  });
  return { clock, heard, listener };
}

describe('stopSignalListener', () => {
  it('counts copies of one Ctrl-C as one stop, and a press after the window as insisting', () => {
    const { clock, heard, listener } = listen();
    listener('SIGINT');
    clock.advance(2);
    listener('SIGINT'); // npm's forwarded copy
    clock.advance(stopSignalWindowMs - 3);
    listener('SIGTERM');
    clock.advance(1);
    listener('SIGINT');
    listener('SIGINT');
    expect(heard).toEqual([
      'stop SIGINT',
      'repeat SIGINT',
      'repeat SIGTERM',
      'insist SIGINT',
      'insist SIGINT',
    ]);
  });

  it('measures the window from the first signal, not from the latest copy', () => {
    const { clock, heard, listener } = listen(100);
    listener('SIGTERM');
    clock.advance(60);
    listener('SIGTERM');
    clock.advance(60);
    listener('SIGTERM');
    expect(heard).toEqual(['stop SIGTERM', 'repeat SIGTERM', 'insist SIGTERM']);
  });

  it('waits about a second by default', () => {
    expect(stopSignalWindowMs).toBe(1000);
  });
});
