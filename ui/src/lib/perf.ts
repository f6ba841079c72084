import { tick } from 'svelte';
import { reportStartup } from '../ipc';

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** A performance mark, for the list benchmark to measure between. */
export function mark(name: string): void {
  performance.mark(name);
}

/**
 * Marks `name` once the last state change is on screen: Svelte has updated the DOM (tick), the
 * next frame has laid it out and the one after that has painted it.
 */
export async function markPainted(name: string): Promise<void> {
  await tick();
  await nextFrame();
  await nextFrame();
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
