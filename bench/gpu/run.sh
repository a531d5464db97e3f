#!/usr/bin/env bash
# Runs the GPU bench on a GPU machine from what bench/gpu/pack.sh packed (no Node, no registry needed there):
# our steps on WebGPU (Dawn on Vulkan), then PyTorch CUDA's, and writes bench/RESULTS-gpu.md (and $OUT's copy).
#   bash bench/gpu/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
carry=bench/gpu/carry
quick=()
[[ "${1:-}" == "--quick" ]] && quick=(--quick)
[[ -f "$carry/node.xz" ]] || { echo "run.sh: $carry/node.xz missing: run bench/gpu/pack.sh first (and carry $carry)" >&2; exit 1; }

# The Vulkan loader, where the machine has none.
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in "$carry"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's Vulkan driver where the loader does not find it by itself.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[[ -f "$icd" && -z "${VK_DRIVER_FILES:-}" ]] && export VK_DRIVER_FILES="$icd"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

work=/tmp/not-gpu-bench && rm -rf "$work" && mkdir -p "$work"
xz -dc "$carry/node.xz" > "$work/node" && chmod +x "$work/node"
tar -C "$work" -xJf "$carry/app.tar.xz"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

"$work/node" "$work/app/webgpu-side.mjs" "${quick[@]}" > "$work/webgpu.json"
python3 bench/gpu/torch_gpu.py --ours "$work/webgpu.json" --write bench/RESULTS-gpu.md "${quick[@]}" \
  --command "bash bench/gpu/pack.sh (here); bash bench/gpu/run.sh${quick:+ --quick} (on the GPU machine)"
if [[ -n "${OUT:-}" ]]; then cp bench/RESULTS-gpu.md "$work/webgpu.json" "$OUT/"; fi
cat bench/RESULTS-gpu.md
