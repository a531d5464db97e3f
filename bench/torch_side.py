"""The PyTorch side of `pnpm bench` (bench/side-by-side.mjs): the same networks, batch sizes and steps as ours, timed
one run at a time on request so that the two sides interleave.

Protocol, one JSON object per line: the Node side writes {"case": {...}, "threads": n} and this script answers
{"ms": milliseconds of one run} (after building the case on first use), or {"skip": "why"}. A first line
{"hello": true} is answered with the versions. Runs with Debian's python3-torch; the FID row needs pytorch-fid's
source (PYTORCH_FID_SRC, default /tmp/pytorch-fid/src) and is skipped without it.
"""
import json
import os
import pathlib
import platform
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "packages" / "nets" / "fixtures"))
from reference_nets import ResNetD, UNet, init_d  # noqa: E402

torch.manual_seed(0)


def weak_cost(x, ys, gamma):
    """The unbiased γ-weak quadratic cost per x (our weakQuadraticCost): ||x − ȳ||² + (1 − γ − 1/K)·Σ s², / D."""
    b, k = ys.shape[:2]
    y = ys.reshape(b, k, -1)
    mean = y.mean(1)
    bias = (mean - x.reshape(b, -1)).pow(2).sum(1)
    variance = (y - mean.unsqueeze(1)).pow(2).sum((1, 2)) / (k - 1)
    return (bias + variance * (1 - gamma - 1 / k)) / y.shape[2]


class NotCase:
    """T and f of one configuration, with Adam as the reference (lr 1e-4, betas (0.9, 0.999))."""

    def __init__(self, c):
        self.c = c
        self.samples = c["noiseSamples"]
        noise = 1 if self.samples > 1 else 0
        self.T = UNet(c["channels"] + noise, c["channels"], c["base"])
        self.f = ResNetD(c["size"], c["channels"], c["filters"], c["maxFilters"])
        self.f.apply(init_d)
        self.T_opt = torch.optim.Adam(self.T.parameters(), lr=1e-4, betas=(0.9, 0.999))
        self.f_opt = torch.optim.Adam(self.f.parameters(), lr=1e-4, betas=(0.9, 0.999))
        shape = (c["batch"], c["channels"], c["size"], c["size"])
        self.x = torch.rand(shape) * 2 - 1
        self.y = torch.rand(shape) * 2 - 1

    def push(self, x, train=True):
        self.T.train(train)
        if self.samples == 1:
            return self.T(x), None
        b, k = x.shape[0], self.samples
        xs = x.repeat_interleave(k, 0)
        z = torch.randn(b * k, 1, x.shape[2], x.shape[3]) * 0.1
        return self.T(torch.cat([xs, z], 1)), k

    def t_step(self):
        y, k = self.push(self.x)
        if k is None:
            cost = (self.x - y).pow(2).flatten(1).mean(1)
        else:
            cost = weak_cost(self.x, y.reshape(self.x.shape[0], k, *self.x.shape[1:]), 0.66)
        loss = cost.mean() - self.f(y).mean()
        self.T_opt.zero_grad()
        loss.backward()
        self.T_opt.step()

    def f_step(self):
        with torch.no_grad():
            y, _ = self.push(self.x)
        loss = self.f(y).mean() - self.f(self.y).mean()
        self.f_opt.zero_grad()
        loss.backward()
        self.f_opt.step()

    def run(self, kind):
        if kind == "t-step":
            self.t_step()
        elif kind == "f-step":
            self.f_step()
        elif kind == "outer":
            for _ in range(self.c["tIters"]):
                self.t_step()
            self.f_step()
        elif kind == "push":
            with torch.no_grad():
                self.push(torch.rand(self.c["pushBatch"], self.c["channels"], self.c["size"], self.c["size"]) * 2 - 1, train=False)
        else:
            raise ValueError(kind)


class FidCase:
    def __init__(self, c):
        sys.path.insert(0, os.environ.get("PYTORCH_FID_SRC", "/tmp/pytorch-fid/src"))
        import pytorch_fid.inception as fid_inception

        # pytorch-fid's network with its freshly initialized weights instead of the download: the time does not
        # depend on the values.
        fid_inception.load_state_dict_from_url = lambda *args, **kwargs: fid_inception._inception_v3(num_classes=1008, aux_logits=False, weights=None).state_dict()
        self.model = fid_inception.InceptionV3([fid_inception.InceptionV3.DEFAULT_BLOCK_INDEX]).eval()
        self.x = torch.rand(c["batch"], 3, c["size"], c["size"])

    def run(self, kind):
        with torch.no_grad():
            self.model(self.x)


cases = {}


def answer(request):
    if request.get("hello"):
        return {"torch": torch.__version__, "python": platform.python_version()}
    case = request["case"]
    key = json.dumps(case, sort_keys=True)
    if key not in cases:
        try:
            cases[key] = FidCase(case["config"]) if case["kind"] == "fid" else NotCase(case["config"])
        except ImportError as error:
            cases[key] = str(error)
    built = cases[key]
    if isinstance(built, str):
        return {"skip": built}
    torch.set_num_threads(request["threads"])
    start = time.perf_counter()
    built.run(case["kind"])
    return {"ms": (time.perf_counter() - start) * 1000}


for line in sys.stdin:
    print(json.dumps(answer(json.loads(line))), flush=True)
