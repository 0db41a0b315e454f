/** What React Flow measures with and jsdom lacks; a test that draws a canvas imports this. */

class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

globalThis.ResizeObserver ??= NoResize as unknown as typeof ResizeObserver;
