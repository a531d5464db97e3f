#!/usr/bin/env bash
# Packs what the GPU machine lacks into bench/gpu/carry/ (git-ignored; ~40 MB, under the device tool's 64 MiB carry):
# Node's binary (xz), our bench bundled into one file with its node_modules (tfjs-core, tfjs-backend-webgpu, and
# `webgpu` with Dawn for linux-x64 only), and the Vulkan loader's Debian package. Run here, from the repo root, after
# `pnpm install` (which builds the packages); needs the npm registry and apt.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/gpu/carry
rm -rf "$out" && mkdir -p "$out/app" "$out/gl"

# Node (~99 MB raw, ~24 MB as xz).
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"

# Our code in one ESM file; tfjs and Dawn stay packages so that one copy of tfjs-core serves all.
node_modules/.bin/esbuild bench/gpu/webgpu-side.mjs --bundle --platform=node --format=esm --target=node20 \
  --external:@tensorflow/tfjs-core --external:@tensorflow/tfjs-backend-webgpu --external:webgpu \
  --conditions=import --outfile="$out/app/webgpu-side.mjs" --log-level=warning
echo '{ "type": "module", "private": true }' > "$out/app/package.json"
npm install --prefix "$out/app" --no-save --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
  @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-webgpu@4.22.0 webgpu@0.6.2
# Dawn for the other platforms, source maps and browser bundles are not needed there.
rm -rf "$out"/app/node_modules/webgpu/dist/{darwin-universal,win32-arm64,win32-x64,linux-arm64} "$out/app/node_modules/webgpu/build"
find "$out/app/node_modules" -name '*.map' -delete
find "$out/app/node_modules/@tensorflow" -path '*/dist/*' \( -name '*.min.js' -o -name '*.es2017.js' -o -name '*.fesm.js' \) -delete
tar -C "$out" -cJf "$out/app.tar.xz" app && rm -rf "$out/app"

# The Vulkan loader (libvulkan.so.1, which Dawn opens); the GPU machine has NVIDIA's driver but maybe no loader.
lists=/tmp/not-bench-apt-lists && mkdir -p "$lists/partial"
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
apt-get $o update -qq && (cd "$out/gl" && apt-get $o download libvulkan1 >/dev/null)

du -sh "$out"/* && du -sh "$out"
