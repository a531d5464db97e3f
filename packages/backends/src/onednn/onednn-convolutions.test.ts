import { nativeParitySuite } from './native-parity';

// wasm on 2 threads: its memory is a SharedArrayBuffer, which the addon reads through a typed array.
nativeParitySuite('threaded wasm', 2, 'SharedArrayBuffer');
