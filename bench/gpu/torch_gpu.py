"""PyTorch CUDA side of the GPU bench (bench/gpu/README.md), and the report.

Times the same steps as bench/gpu/webgpu-steps.mjs on the reference networks (packages/nets/fixtures/reference_nets.py,
our own PyTorch code from the reference's facts) in fp32 (TF32 off), then merges our side's JSON (from
webgpu-side.mjs) and writes bench/RESULTS-gpu.md with milliseconds and ratios.

    python3 bench/gpu/torch_gpu.py --ours webgpu.json --write bench/RESULTS-gpu.md [--quick]
"""
import argparse
import datetime
import json
import pathlib
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packages" / "nets" / "fixtures"))
from reference_nets import ResNetD, UNet, init_d  # noqa: E402

# fp32 as our side computes it: no TF32 tensor-core shortcuts.
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True


class Steps:
    def __init__(self, c, dev):
        torch.manual_seed(0)
        self.c = c
        self.T = UNet(c["channels"], c["channels"], c["base"]).to(dev)
        self.f = ResNetD(c["size"], c["channels"], c["filters"], c["maxFilters"]).to(dev)
        self.f.apply(init_d)
        self.T_opt = torch.optim.Adam(self.T.parameters(), lr=1e-4, betas=(0.9, 0.999))
        self.f_opt = torch.optim.Adam(self.f.parameters(), lr=1e-4, betas=(0.9, 0.999))
        shape = (c["batch"], c["channels"], c["size"], c["size"])
        self.x = torch.rand(shape, device=dev) * 2 - 1
        self.y = torch.rand(shape, device=dev) * 2 - 1
        self.px = torch.rand(c["pushBatch"], c["channels"], c["size"], c["size"], device=dev) * 2 - 1
        self.dev = dev
        self.fid = None

    def t_step(self):
        self.T.train()
        y = self.T(self.x)
        loss = (self.x - y).pow(2).flatten(1).mean(1).mean() - self.f(y).mean()
        self.T_opt.zero_grad()
        loss.backward()
        self.T_opt.step()
        return loss

    def f_step(self):
        self.T.train()
        with torch.no_grad():
            y = self.T(self.x)
        loss = self.f(y).mean() - self.f(self.y).mean()
        self.f_opt.zero_grad()
        loss.backward()
        self.f_opt.step()
        return loss

    def fid_features(self):
        if self.fid is None:
            import torchvision

            # InceptionV3 (torchvision's; pytorch-fid's is the same network with its FID blocks) with random weights:
            # the time does not depend on them. pool3 features: the fc layer is dropped.
            net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
            net.fc = torch.nn.Identity()
            self.fid = net.eval().to(self.dev)
            self.fid_x = torch.rand(self.c["fidBatch"], 3, self.c["size"], self.c["size"], device=self.dev) * 2 - 1
        with torch.no_grad():
            x = F.interpolate(self.fid_x, size=(299, 299), mode="bilinear", align_corners=False)
            return self.fid(x).mean()

    def run(self, kind):
        if kind == "t-step":
            out = self.t_step()
        elif kind == "f-step":
            out = self.f_step()
        elif kind == "outer":
            for _ in range(self.c["tIters"]):
                self.t_step()
            out = self.f_step()
        elif kind == "push":
            self.T.eval()
            with torch.no_grad():
                out = self.T(self.px).mean()
        elif kind == "fid":
            out = self.fid_features()
        else:
            raise ValueError(kind)
        return out.item()  # a read of the result, as our side's `await data()`


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def time_runs(steps, kind, runs, warm_up):
    times = []
    for r in range(-warm_up, runs):
        sync(steps.dev)
        t0 = time.perf_counter()
        steps.run(kind)
        sync(steps.dev)
        if r >= 0:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ours", required=True, help="webgpu-side.mjs's JSON")
    p.add_argument("--write", required=True, help="the Markdown report to write")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--command", default="bash bench/gpu/run.sh", help="the command to name in the report")
    p.add_argument("--device", default="cuda", help="cuda (the bench), or cpu to smoke-test this script")
    a = p.parse_args()
    ours = json.loads(pathlib.Path(a.ours).read_text())
    c = ours["config"]
    dev = torch.device(a.device)
    steps = Steps(c, dev)
    rows = []
    for row in ours["rows"]:
        runs = 1 if a.quick else row["runs"]
        try:
            ms, times = time_runs(steps, row["kind"], runs, 1 if a.quick else 2)
        except ImportError as error:  # torchvision, for the FID row
            print(f"{row['label']}: PyTorch side skipped: {error}", file=sys.stderr)
            ms = None
        rows.append((row, ms))
        if ms is not None:
            print(f"{row['label']:<50} ours {row['ms']:9.1f} ms   torch {ms:9.1f} ms   ratio {row['ms'] / ms:6.2f}x", file=sys.stderr)

    def fmt(ms):
        return "–" if ms is None else f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"

    lines = []
    for row, ms in rows:
        label = row["label"]
        if ms is None:
            lines.append(f"| {label} | {fmt(row['ms'])} | – (torchvision missing) | – | {row['runs']} |")
            continue
        if row.get("images"):
            label += f" (img/s: ours {row['images'] / (row['ms'] / 1000):.0f}, torch {row['images'] / (ms / 1000):.0f})"
        lines.append(f"| {label} | {fmt(row['ms'])} | {fmt(ms)} | {row['ms'] / ms:.2f}× | {row['runs']} |")
    outer = next((r for r, _ in rows if r["kind"] == "outer"), None)
    outer_torch = next((ms for r, ms in rows if r["kind"] == "outer"), None)
    goal = ""
    if outer is not None:
        ratio = outer["ms"] / outer_torch
        goal = f"\nOuter step: {ratio:.2f}× PyTorch CUDA (goal ≤ 3×, long term ≤ 1.5×): {'met' if ratio <= 3 else 'not met'}.\n"
    adapter = ours.get("adapter") or {}
    md = f"""# Side-by-side on a GPU: NOT.ts on WebGPU against PyTorch CUDA

Written by bench/gpu/torch_gpu.py (with bench/gpu/webgpu-side.mjs) on {datetime.date.today().isoformat()}. Median
milliseconds of one run after warm-up runs, each ending when its result is read back on the host.

- GPU: {torch.cuda.get_device_name(0) if dev.type == 'cuda' else 'none: PyTorch ran on the CPU (a smoke test of the script)'}; WebGPU adapter: {adapter.get('vendor', '?')} {adapter.get('architecture', '')} ({adapter.get('description') or adapter.get('device') or '–'}), {'software' if adapter.get('software') else 'hardware'}
- Ours: Node {ours['node']}, @tensorflow/tfjs-backend-webgpu 4.22.0 on Dawn (the `webgpu` npm package), {ours['backend']}
- PyTorch: {torch.__version__} (Python {platform.python_version()}), {dev.type}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, fp32 with TF32 off, cudnn.benchmark on
- Configuration: {c['size']}×{c['size']}×{c['channels']}, UNet base {c['base']}, ResNet {c['filters']} (cap {c['maxFilters']}), batch {c['batch']}, K_T = {c['tIters']}{' (QUICK: one run per row)' if a.quick else ''}
- Command: `{a.command}`

| step | ours (WebGPU) ms | PyTorch CUDA ms | ours / PyTorch | runs |
|---|---|---|---|---|
{chr(10).join(lines)}
{goal}
A T step is T(x), the quadratic cost, f(T(x)) and T's Adam update; an f step is f(T(x)) without T's gradient, f(y)
and f's update; an outer step is K_T T steps and one f step. Both sides train in batch-statistics mode. The FID row
runs InceptionV3 (ours: pytorch-fid's; PyTorch: torchvision's, the same sizes) with random weights, resized to 299.
"""
    pathlib.Path(a.write).write_text(md)
    print(f"wrote {a.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
