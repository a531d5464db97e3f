/**
 * Resolves on a later turn of the event loop (a macrotask, not a microtask): timers, I/O and a page's rendering get
 * to run between training steps, and a GPU's queue keeps being fed.
 */
export function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  if (typeof MessageChannel !== 'undefined') {
    // Browsers clamp nested setTimeout(0) to 4 ms; a message is delivered on the next turn without that delay.
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
