import { tick } from 'svelte';
import { reportStartup } from '../ipc';

/**
 * Resolves right after the next frame is painted: a frame callback runs just before the paint,
 * and a message posted from it is delivered as the next task, once the paint is done.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    }),
  );
}

/** A performance mark, for the list benchmark to measure between. */
export function mark(name: string): void {
  performance.mark(name);
}

/**
 * Marks `name` once the last state change is on screen: Svelte has updated the DOM (tick) and the
 * next frame, which lays it out, has been painted.
 */
export async function markPainted(name: string): Promise<void> {
  await tick();
  await afterNextPaint();
  performance.mark(name);
}

let interactive = false;

/** Tells the app, once per page, that the window is of use: the app logs how long it took to start. */
export function reportInteractive(): void {
  if (!interactive) {
    interactive = true;
    void reportStartup();
  }
}
