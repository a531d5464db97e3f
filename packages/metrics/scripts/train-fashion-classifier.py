"""Trains the small Fashion-MNIST classifier of @not/metrics. Run by hand (not by CI), with Debian's PyTorch:

    /usr/bin/python3 packages/metrics/scripts/train-fashion-classifier.py [--epochs 4] [--seed 0] [--threads 1]
    /usr/bin/python3 packages/metrics/scripts/train-fashion-classifier.py --evaluate   # test accuracy of the shipped file

Needs python3-torch and the IDX files of Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).

Images: the 28x28 originals padded by 2 zero pixels on each side to 32x32, scaled to [-1, 1] as 2*(v/255) - 1 (what
@not/datasets serves). The network is one nn.Sequential, so its state dict names ("0.weight", "3.weight", ...,
"10.weight", "12.weight") are the ones FashionClassifier in src/fashion-classifier/ loads:

    0 Conv2d(1, 32, 3, padding=1)  1 ReLU  2 MaxPool2d(2)      32 -> 16
    3 Conv2d(32, 64, 3, padding=1) 4 ReLU  5 MaxPool2d(2)      16 -> 8
    6 Conv2d(64, 128, 3, padding=1) 7 ReLU 8 MaxPool2d(2)      8 -> 4
    9 Flatten (C, H, W order)  10 Linear(2048, 128)  11 ReLU   <- the 128 features
    12 Linear(128, 10)                                          <- logits

Training: Adam, cosine learning-rate decay, batch 128, random shifts of up to 2 pixels and horizontal flips.
The images of the subset embedded in @not/datasets that tests use as held-out data (the last 10% of its bags, shoes,
each shoe class and all of it, as ImageDataset splits them) are left out of training so that those tests judge
unseen images. Test accuracy is measured on the full 10k t10k set, without augmentation.

Writes (each to a temporary file, then renamed):
- data/fashion-classifier.safetensors: the state dict in float32, metadata with test accuracy, epochs, seed, ...
- fixtures/fashion-classifier-fixture.safetensors: 20 test images (2 per class) and 4 uniform-noise images as
  NHWC [24, 32, 32, 1] "x", their "labels" (-1 for noise), "logits" [24, 10] and "features" [24, 128].
"""
import argparse
import gzip
import itertools
import json
import os
import pathlib
import struct
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE = HERE.parent
WEIGHTS = PACKAGE / "data" / "fashion-classifier.safetensors"
FIXTURE = PACKAGE / "fixtures" / "fashion-classifier-fixture.safetensors"
SHOES = (5, 7, 9)
BAG = 8
EMBEDDED_PER_GROUP = 3000  # packages/datasets/scripts/make-fashion-subset.mjs: first 3000 bags, first 3000 shoes


def make_net():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128 * 4 * 4, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


FEATURE_END = 12  # net[:12] gives the features (after the ReLU of layer 10)


def read_idx(path):
    with gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    ndims = raw[3]
    dims = struct.unpack(f">{ndims}I", raw[4:4 + 4 * ndims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndims)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, header says {dims}")
    return data.reshape(dims)


def load_split(directory, split):
    images = read_idx(directory / f"{split}-images-idx3-ubyte.gz")
    labels = read_idx(directory / f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    if images.shape[1:] != (28, 28) or labels.shape != (images.shape[0],):
        raise ValueError(f"{directory}: {split} images {images.shape} and labels {labels.shape} do not fit")
    # Same float32 arithmetic as @not/datasets: 2 * (v / 255) - 1; the 2-pixel border is background (v = 0 -> -1).
    x = torch.from_numpy(images.astype(np.float32)) / 255 * 2 - 1
    x = F.pad(x, (2, 2, 2, 2), value=-1.0).unsqueeze(1)
    return x, torch.from_numpy(labels)


def embedded_held_out(labels):
    """Training-file indices of the embedded subset's test splits (the last floor(0.1 n) of each selection)."""
    picked, bags, shoes = [], 0, 0
    for i, label in enumerate(labels.tolist()):
        if label == BAG and bags < EMBEDDED_PER_GROUP:
            picked.append(i)
            bags += 1
        elif label in SHOES and shoes < EMBEDDED_PER_GROUP:
            picked.append(i)
            shoes += 1
        if bags == EMBEDDED_PER_GROUP and shoes == EMBEDDED_PER_GROUP:
            break
    held = set()
    # Every class selection a test could open from the subset (each of its 15 non-empty sets of classes).
    for size in range(1, 5):
        for selection in itertools.combinations((5, 7, 8, 9), size):
            members = [i for i in picked if int(labels[i]) in selection]
            held.update(members[len(members) - int(len(members) * 0.1):])
    return sorted(held)


def augment(x, generator):
    """Random shifts of up to 2 pixels (background fill) and horizontal flips, per image."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2), value=-1.0)
    dy = torch.randint(0, 5, (n,), generator=generator)
    dx = torch.randint(0, 5, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(32)[None, :])[:, None, :, None].expand(n, 1, 32, 36)
    out = torch.gather(padded, 2, rows)
    cols = (dx[:, None] + torch.arange(32)[None, :])[:, None, None, :].expand(n, 1, 32, 32)
    out = torch.gather(out, 3, cols)
    flip = torch.rand(n, generator=generator) < 0.5
    out[flip] = out[flip].flip(3)
    return out


@torch.no_grad()
def predict(net, x, batch=1000):
    net.eval()
    return torch.cat([net(x[i:i + batch]) for i in range(0, x.shape[0], batch)])


def report(logits, labels):
    pred = logits.argmax(1)
    accuracy = (pred == labels).float().mean().item()
    per_class = [round((pred[labels == c] == c).float().mean().item(), 4) for c in range(10)]
    shoes = torch.tensor(SHOES)
    mask = (labels == BAG) | torch.isin(labels, shoes)
    bag_vs_shoe = (torch.isin(pred[mask], shoes) == torch.isin(labels[mask], shoes)).float().mean().item()
    return accuracy, per_class, bag_vs_shoe


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        t = t.to(torch.int32) if t.dtype in (torch.int64, torch.int32) else t.to(torch.float32)
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": "I32" if t.dtype == torch.int32 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(tmp, path)


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw, dtype="<f4", count=(end - begin) // 4, offset=8 + n + begin).copy()).reshape(info["shape"])
    return out, metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    parser.add_argument("--evaluate", action="store_true", help="only report the shipped weights' test accuracy")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    test_x, test_y = load_split(args.data, "t10k")
    net = make_net()
    if args.evaluate:
        state, metadata = read_safetensors(WEIGHTS)
        net.load_state_dict(state)
        accuracy, per_class, bag_vs_shoe = report(predict(net, test_x), test_y)
        print(json.dumps({"file": str(WEIGHTS), "test_accuracy": round(accuracy, 4), "bag_vs_shoe": round(bag_vs_shoe, 4),
                          "per_class": per_class, "metadata_test_accuracy": metadata.get("test_accuracy")}))
        return

    train_x, train_y = load_split(args.data, "train")
    held = embedded_held_out(train_y)
    keep = torch.ones(train_y.shape[0], dtype=torch.bool)
    keep[held] = False
    train_x, train_y = train_x[keep], train_y[keep]
    print(f"train {train_x.shape[0]} images ({len(held)} embedded-subset test images left out), test {test_x.shape[0]}")

    generator = torch.Generator().manual_seed(args.seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps_per_epoch = (train_x.shape[0] + args.batch - 1) // args.batch
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = torch.randperm(train_x.shape[0], generator=generator)
        total, seen = 0.0, 0
        for i in range(0, order.shape[0], args.batch):
            idx = order[i:i + args.batch]
            x = augment(train_x[idx], generator)
            loss = F.cross_entropy(net(x), train_y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * idx.shape[0]
            seen += idx.shape[0]
        accuracy, _, bag_vs_shoe = report(predict(net, test_x), test_y)
        print(json.dumps({"epoch": epoch, "loss": round(total / seen, 4), "test_accuracy": round(accuracy, 4),
                          "bag_vs_shoe": round(bag_vs_shoe, 4), "seconds": round(time.time() - started, 1)}), flush=True)

    net.eval()
    accuracy, per_class, bag_vs_shoe = report(predict(net, test_x), test_y)
    state = net.state_dict()
    metadata = {
        "format": "pt",
        "name": "fashion-classifier",
        "architecture": "Sequential(Conv2d(1,32,3,p1) ReLU MaxPool2d(2) Conv2d(32,64,3,p1) ReLU MaxPool2d(2) "
                        "Conv2d(64,128,3,p1) ReLU MaxPool2d(2) Flatten Linear(2048,128) ReLU Linear(128,10)); features: output of 11",
        "input": "[N,1,32,32] float32 in [-1,1]: Fashion-MNIST 28x28 padded by 2 zero pixels, 2*(v/255)-1",
        "test_accuracy": f"{accuracy:.4f}",
        "test_bag_vs_shoe": f"{bag_vs_shoe:.4f}",
        "test_per_class_accuracy": json.dumps(per_class),
        "epochs": str(args.epochs),
        "seed": str(args.seed),
        "batch": str(args.batch),
        "lr": str(args.lr),
        "augmentation": "shift up to 2 px, horizontal flip",
        "held_out": f"{len(held)} training images: the embedded @not/datasets subset's test splits",
        "torch": torch.__version__,
    }
    write_safetensors(WEIGHTS, state, metadata)
    print(f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size} bytes): test accuracy {accuracy:.4f}, bag vs shoe {bag_vs_shoe:.4f}, per class {per_class}")

    # Parity fixture: 2 test images of each class (first in file order) and 4 noise images.
    picks = [i for c in range(10) for i in torch.nonzero(test_y == c).flatten()[:2].tolist()]
    noise = torch.rand(4, 1, 32, 32, generator=generator) * 2 - 1
    x = torch.cat([test_x[picks], noise])
    labels = torch.cat([test_y[picks], torch.full((4,), -1, dtype=torch.int64)])
    with torch.no_grad():
        logits = net(x)
        features = net[:FEATURE_END](x)
    # NCHW with one channel has the same memory order as NHWC; store it as NHWC for tfjs.
    write_safetensors(FIXTURE, {"x": x.permute(0, 2, 3, 1), "labels": labels, "logits": logits, "features": features},
                      {"torch": torch.__version__, "weights": WEIGHTS.name, "test_indices": json.dumps(picks)})
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
