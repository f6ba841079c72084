import { tick } from 'svelte';

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
