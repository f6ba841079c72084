// jsdom lays nothing out, so it has no ResizeObserver; Svelte's bind:clientHeight needs one. Here
// nothing ever resizes, and components use the sizes they assume before layout.
class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= NoResizeObserver;

// jsdom lays nothing out, so there is nothing to scroll into view.
Element.prototype.scrollIntoView ??= function scrollIntoView(): void {};
