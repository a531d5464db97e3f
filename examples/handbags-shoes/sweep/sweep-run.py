"""One PyTorch run of the CPU preset's bags -> shoes training (the same networks and loop as `not train`), scored every
--every steps on the 300 test bags: share called a shoe by a logistic-regression bag/shoe classifier on pixels, mean
distance from T(x) to its nearest real shoe ('nn'; the bags themselves score 17.6), and the cost. Prints one JSON line.
Used to choose the preset (see ../README.md); run many seeds with sweep.sh on a machine with a GPU:

    ./sweep.sh results.jsonl 250 "0 1 2 3 4 5 6 7"      # CONFIGS=file picks the settings (name|flags per line)
"""
import sys, gzip, struct, time, math, json, argparse
import numpy as np, torch
from torch import nn
import torch.nn.functional as F
import os
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.join(here, '..', '..', '..')
data = os.path.join(repo, 'packages', 'datasets', 'data')
# The PyTorch UNet and ResNet_D of the parity fixtures (written from REFERENCE.md's facts).
exec(open(os.path.join(repo, 'packages', 'nets', 'fixtures', 'make-image-nets-fixture.py')).read().split('# ----- fixture')[0])
p = argparse.ArgumentParser()
p.add_argument('--name', default='x')
p.add_argument('--lr', type=float, default=1e-3); p.add_argument('--lrf', type=float, default=None)
p.add_argument('--kt', type=int, default=3); p.add_argument('--batch', type=int, default=16)
p.add_argument('--steps', type=int, default=250); p.add_argument('--b1', type=float, default=0.9); p.add_argument('--b2', type=float, default=0.999)
p.add_argument('--cos', type=int, default=0); p.add_argument('--warm', type=int, default=0); p.add_argument('--ch', type=int, default=3); p.add_argument('--seed', type=int, default=0)
p.add_argument('--base', type=int, default=16); p.add_argument('--nf', type=int, default=16); p.add_argument('--nfmax', type=int, default=64)
p.add_argument('--tanh', type=int, default=0); p.add_argument('--clip', type=float, default=0); p.add_argument('--fclip', type=float, default=0)
p.add_argument('--dev', default='cuda'); p.add_argument('--dump', default=''); p.add_argument('--every', type=int, default=50)
a = p.parse_args()
torch.set_num_threads(1); torch.manual_seed(a.seed); np.random.seed(a.seed)
dev = torch.device(a.dev)
def idx(path):
    b = gzip.open(path).read(); nd = b[3]; dims = struct.unpack('>' + 'I'*nd, b[4:4+4*nd]); return np.frombuffer(b[4+4*nd:], np.uint8).reshape(dims)
X = idx(os.path.join(data, 'fashion-mnist-subset-images.idx.gz')); L = idx(os.path.join(data, 'fashion-mnist-subset-labels.idx.gz'))
X = np.pad(X, ((0,0),(2,2),(2,2))).astype(np.float32)/255*2-1
bags = X[L==8]; shoes = X[L!=8]
def split(d): n=len(d); t=int(n*0.1); return d[:n-t], d[n-t:]
btr, bte = split(bags); str_, ste = split(shoes)
g = torch.Generator().manual_seed(1234)
cx = torch.tensor(np.concatenate([btr, str_]).reshape(-1, 1024)); cy = torch.tensor(np.r_[np.zeros(len(btr)), np.ones(len(str_))]).float()
clf = nn.Linear(1024, 1); opt = torch.optim.Adam(clf.parameters(), 1e-2)
for i in range(300):
    opt.zero_grad(); l = F.binary_cross_entropy_with_logits(clf(cx).squeeze(1), cy); l.backward(); opt.step()
clf = clf.to(dev)
shoeref = torch.tensor(str_[:1000].reshape(-1, 1024)).to(dev)
def tot(d): t = torch.tensor(d)[:, None]; return t.repeat(1, a.ch, 1, 1).to(dev)
def sampler(d):
    while True:
        perm = np.random.permutation(len(d))
        for i in range(0, len(d) - a.batch + 1, a.batch): yield tot(d[perm[i:i+a.batch]])
sx, sy = sampler(btr), sampler(str_)
Tn = UNet(a.ch, a.ch, a.base).to(dev); f = ResNetD(32, a.ch, a.nf, a.nfmax); f.apply(init_d); f = f.to(dev)
T = (lambda x: torch.tanh(Tn(x))) if a.tanh else Tn
oT = torch.optim.Adam(Tn.parameters(), a.lr, betas=(a.b1, a.b2), weight_decay=1e-10)
of = torch.optim.Adam(f.parameters(), a.lrf or a.lr, betas=(a.b1, a.b2), weight_decay=1e-10)
test = tot(bte)
if a.cos:
    lam = lambda it: min(1, (it + 1) / a.warm if a.warm else 1) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(it / a.steps, 1))))
    sT = torch.optim.lr_scheduler.LambdaLR(oT, lambda it: lam(it / a.kt)); sf = torch.optim.lr_scheduler.LambdaLR(of, lam)
with torch.no_grad():
    ident = test.mean(1).reshape(-1, 1024); print(json.dumps({'identity_shoe': float((clf(ident).squeeze(1) > 0).float().mean()), 'identity_nn': float(torch.cdist(ident, shoeref).min(1).values.mean())}))
t0 = time.time(); hist = []; minTloss = 0
for step in range(1, a.steps + 1):
    Tn.train()
    for p_ in f.parameters(): p_.requires_grad_(False)
    for _ in range(a.kt):
        x = next(sx); tx = T(x); loss = F.mse_loss(x, tx) - f(tx).mean(); oT.zero_grad(); loss.backward()
        if a.clip: torch.nn.utils.clip_grad_norm_(Tn.parameters(), a.clip)
        oT.step()
        if a.cos: sT.step()
    minTloss = min(minTloss, float(loss))
    for p_ in f.parameters(): p_.requires_grad_(True)
    Tn.eval()
    x = next(sx); y = next(sy)
    with torch.no_grad(): tx = T(x)
    fl = f(tx).mean() - f(y).mean(); of.zero_grad(); fl.backward()
    if a.fclip: torch.nn.utils.clip_grad_norm_(f.parameters(), a.fclip)
    of.step()
    if a.cos: sf.step()
    if step % a.every == 0 or step == a.steps:
        with torch.no_grad():
            o = T(test); out = o.mean(1).reshape(-1, 1024); rate = float((clf(out).squeeze(1) > 0).float().mean())
            nn_d = float(torch.cdist(out, shoeref).min(1).values.mean()); mse = float(F.mse_loss(o, test))
            amax = float(o.abs().amax())
        if a.dump: np.save(f'{a.dump}-{step}.npy', o[:20].mean(1).cpu().numpy())
        hist.append({'step': step, 'shoe': round(rate, 3), 'nn': round(nn_d, 2), 'mse': round(mse, 3), 'amax': round(amax, 2), 'Tl': round(float(loss), 2), 'fl': round(float(fl), 2)})
print(json.dumps({'name': a.name, 'seed': a.seed, 'minTloss': round(minTloss, 1), 'hist': hist, 'sec': round(time.time() - t0, 1)}), flush=True)
