// tfjs-core registers no gradients on import, and its gradient module cannot load under Node's ESM resolver
// (extension-less imports). tsup bundles this module into our dist (see tsup.config.ts), so importing
// @not/ot-core registers every gradient once, as @tensorflow/tfjs does.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
