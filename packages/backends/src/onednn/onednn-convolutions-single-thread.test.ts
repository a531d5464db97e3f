import { oneDnnParitySuite } from './onednn-parity';

// wasm single-threaded: its memory is a plain ArrayBuffer (a separate file: wasm's threads are fixed per process).
oneDnnParitySuite('single-threaded wasm', 1, 'ArrayBuffer');
