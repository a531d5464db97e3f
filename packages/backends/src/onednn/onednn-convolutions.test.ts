import { oneDnnParitySuite } from './onednn-parity';

// wasm on 2 threads: its memory is a SharedArrayBuffer, which the addon reads through a typed array.
oneDnnParitySuite('threaded wasm', 2, 'SharedArrayBuffer');
