import { nativeParitySuite } from './native-parity';

// wasm single-threaded: its memory is a plain ArrayBuffer (a separate file: wasm's threads are fixed per process).
nativeParitySuite('single-threaded wasm', 1, 'ArrayBuffer');
