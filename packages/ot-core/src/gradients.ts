// tfjs-core registers no gradients on import, and its gradient module cannot load under Node's ESM resolver
// (extension-less imports). tsup bundles this module into our dist (see tsup.config.ts), so importing
// @not/ot-core registers every gradient once, as @tensorflow/tfjs does. tfjs-core's main entry loads first so that
// its engine, not the bundled copy's, is the process-wide one.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
