"""Guide-restoration model: base (bicubic upscale of a decoded AV1 guide frame, 512x320) -> restored.

restored = clamp(base + residual(base), 0, 1); residual: pixel-unshuffle 4 -> 3x3 conv + residual
blocks at 1/4 resolution -> conv to 48 = 3*16 channels (zero-initialised: the untrained model is the
base exactly) -> pixel-shuffle.

Commands (all single-threaded, resumable by --max-minutes):
  restore_data.py                       build .pack/restore/{train,val}.npz (uint8 guides + targets)
  restore.py train     --max-minutes M  fidelity model (Charbonnier RGB + L1 luma), best by val PSNR-Y
  restore.py realism   --max-minutes M  fine-tunes the output stage with L1 + FFT-amplitude loss
  restore.py export                     ONNX (opset 17, float16 weights + Cast) + fixture
  restore.py evalclips                  one measurement on the evaluation clips (report only)
"""
import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACK = ROOT / ".pack" / "restore"
OPSET = 17
W, H = 512, 320


# ---------------------------------------------------------------- model
class ResBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return x + self.c2(F.relu(self.c1(x)))


class GuideRestore(nn.Module):
    def __init__(self, ch=40, blocks=3, factor=4):
        super().__init__()
        self.factor = factor
        c_in = 3 * factor * factor
        self.head = nn.Conv2d(c_in, ch, 3, padding=1)
        self.blocks = nn.Sequential(*[ResBlock(ch) for _ in range(blocks)])
        self.tail = nn.Conv2d(ch, c_in, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)
        self.config = {"ch": ch, "blocks": blocks, "factor": factor}

    def residual(self, base):
        x = F.pixel_unshuffle(base - 0.5, self.factor)
        f = self.blocks(F.relu(self.head(x)))
        return F.pixel_shuffle(self.tail(F.relu(f)), self.factor)

    def forward(self, base):
        return torch.clamp(base + self.residual(base), 0.0, 1.0)


def count_params(m):
    return sum(p.numel() for p in m.parameters())


def macs(m, h=H, w=W):
    """Multiply-accumulates of the convolutions at h x w (pixel (un)shuffle, adds, ReLU not counted)."""
    hh, ww = h // m.factor, w // m.factor
    return sum(c.weight.numel() * hh * ww for c in m.modules() if isinstance(c, nn.Conv2d))


# ---------------------------------------------------------------- data
def base_from_guide(guide_u8):
    """The decoder's base: guide (h,w,3 uint8 or N,h,w,3) -> float32 [N,3,320,512], exactly
    F.interpolate(bicubic, align_corners=False) then clamp."""
    g = torch.from_numpy(np.ascontiguousarray(guide_u8))
    if g.dim() == 3:
        g = g[None]
    x = g.permute(0, 3, 1, 2).float() / 255.0
    return torch.clamp(F.interpolate(x, size=(H, W), mode="bicubic", align_corners=False), 0.0, 1.0)


def to_chw(u8):
    return torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float() / 255.0


class PairSet:
    """All pairs of a store in memory: base float16 [N,3,320,512] and target uint8 [N,320,512,3]."""

    def __init__(self, path, log=print):
        sys.path.insert(0, str(HERE))
        from restore_data import load_store
        t0 = time.time()
        guides, self.targets, self.meta = load_store(path)
        n = len(guides)
        self.base = torch.empty((n, 3, H, W), dtype=torch.float16)
        by = {}
        for i, g in enumerate(guides):
            by.setdefault(g.shape, []).append(i)
        for shape, idx in by.items():
            for s in range(0, len(idx), 32):
                j = idx[s:s + 32]
                self.base[j] = base_from_guide(np.stack([guides[k] for k in j])).half()
        log(f"[data] {path} {n} pairs, base in {time.time() - t0:.0f}s")

    def __len__(self):
        return len(self.targets)

    def batch(self, rng, n, crop=128):
        idx = rng.integers(0, len(self), n)
        bs, ts = [], []
        for i in idx:
            y = int(rng.integers(0, (H - crop) // 8 + 1)) * 8
            x = int(rng.integers(0, (W - crop) // 8 + 1)) * 8
            b = self.base[i, :, y:y + crop, x:x + crop].float()
            t = torch.from_numpy(self.targets[i, y:y + crop, x:x + crop]).permute(2, 0, 1).float() / 255.0
            if rng.random() < 0.5:
                b, t = b.flip(2), t.flip(2)
            if rng.random() < 0.3:
                b, t = b.flip(1), t.flip(1)
            if rng.random() < 0.5:  # colour jitter: per-channel gain and offset, the same on both
                gain = torch.from_numpy(rng.uniform(0.9, 1.1, (3, 1, 1))).float()
                off = torch.from_numpy(rng.uniform(-0.04, 0.04, (3, 1, 1))).float()
                b, t = (b * gain + off).clamp(0, 1), (t * gain + off).clamp(0, 1)
            if rng.random() < 0.15:  # channel permutation
                p = torch.from_numpy(rng.permutation(3))
                b, t = b[p], t[p]
            bs.append(b)
            ts.append(t)
        return torch.stack(bs), torch.stack(ts)


# ---------------------------------------------------------------- metrics and losses
YW = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
LAP = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)


def luma(x):
    return (x * YW).sum(1, keepdim=True)


def psnr_y(a, b):
    """Per-frame PSNR of luma (BT.601 weights), inputs in [0,1]; [N]."""
    mse = ((luma(a) - luma(b)) ** 2).mean((1, 2, 3)).clamp_min(1e-10)
    return 10 * torch.log10(1.0 / mse)


def hf_energy(x):
    return (F.conv2d(luma(x), LAP, padding=1)[..., 1:-1, 1:-1] ** 2).mean((1, 2, 3))


def fidelity_loss(out, tgt):
    d = out - tgt
    return torch.sqrt(d * d + 1e-6).mean() + 0.5 * (luma(out) - luma(tgt)).abs().mean()


def fft_amp_loss(out, tgt):
    """L1 between the FFT amplitude spectra of the luma (per crop, orthonormal)."""
    fa = torch.fft.rfft2(luma(out), norm="ortho").abs()
    fb = torch.fft.rfft2(luma(tgt), norm="ortho").abs()
    return (fa - fb).abs().mean()


@torch.no_grad()
def evaluate(model, vs, chunk=4):
    """Mean PSNR-Y of base and model, mean HF ratios (Laplacian energy of output / of target), over
    whole 512x320 frames of a PairSet; also per source group (photo / video)."""
    res = {"base": [], "model": [], "hf_base": [], "hf_model": [], "group": []}
    model.eval()
    for s in range(0, len(vs), chunk):
        b = vs.base[s:s + chunk].float()
        t = to_chw(vs.targets[s:s + chunk])
        o = model(b)
        ht = hf_energy(t).clamp_min(1e-12)
        res["base"] += psnr_y(b, t).tolist()
        res["model"] += psnr_y(o, t).tolist()
        res["hf_base"] += (hf_energy(b) / ht).tolist()
        res["hf_model"] += (hf_energy(o) / ht).tolist()
    res["group"] = ["video" if m["src"].startswith("video/") else "photo" for m in vs.meta]
    model.train()
    out = {k: float(np.mean(res[k])) for k in ("base", "model", "hf_base", "hf_model")}
    for g in ("photo", "video"):
        sel = [i for i, x in enumerate(res["group"]) if x == g]
        if sel:
            out[g] = {k: float(np.mean([res[k][i] for i in sel])) for k in ("base", "model", "hf_base", "hf_model")}
            out[g]["n"] = len(sel)
    out["n"] = len(vs)
    return out


# ---------------------------------------------------------------- training
def lr_at(step, total, peak, warm=200, floor=0.02):
    if step < warm:
        return peak * (step + 1) / warm
    p = min(1.0, (step - warm) / max(1, total - warm))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def run_training(args, mode):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.time()
    log = lambda s: print(s, flush=True)
    ck_path = PACK / ("ckpt-fid.pt" if mode == "fidelity" else "ckpt-real.pt")
    best_path = PACK / ("best-fid.pt" if mode == "fidelity" else "best-real.pt")
    model = GuideRestore(args.ch, args.blocks)
    if mode == "realism":
        fid = torch.load(PACK / "best-fid.pt")
        model = GuideRestore(**fid["config"])
        model.load_state_dict(fid["model"])
        trainable = list(model.tail.parameters()) + list(model.blocks[-1].c2.parameters())
        for p in model.parameters():
            p.requires_grad_(False)
        for p in trainable:
            p.requires_grad_(True)
    else:
        trainable = list(model.parameters())
    opt = torch.optim.Adam(trainable, lr=args.lr)
    state = {"step": 0, "best": None, "log": [], "minutes": 0.0, "rng": None}
    if ck_path.exists() and not args.fresh:
        ck = torch.load(ck_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        log(f"[{mode}] resumed at step {state['step']}")
    rng = np.random.default_rng(args.seed + state["step"])
    ts = PairSet(PACK / "train.npz", log)
    vs = PairSet(PACK / "val.npz", log)
    if state["best"] is None:
        ev = evaluate(model, vs)
        state["log"].append({"step": 0, **ev})
        state["best"] = {"step": 0, **ev, "score": score(ev, mode, args)}
        torch.save({"model": model.state_dict(), "config": model.config, "eval": ev, "step": 0}, best_path)
        log(f"[{mode}] step 0 val {json.dumps(ev)}")
    t_train = time.time()
    losses = []
    while state["step"] < args.steps:
        if (time.time() - t_start) / 60 > args.max_minutes:
            break
        step = state["step"]
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr, warm=200 if mode == "fidelity" else 20)
        b, t = ts.batch(rng, args.batch, args.crop)
        o = model(b)
        if mode == "fidelity":
            loss = fidelity_loss(o, t)
        else:
            loss = (o - t).abs().mean() + args.fft_weight * fft_amp_loss(o, t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        state["step"] = step + 1
        if state["step"] % args.eval_every == 0 or state["step"] == args.steps:
            ev = evaluate(model, vs)
            ev["loss"] = float(np.mean(losses))
            losses = []
            ev["step"] = state["step"]
            ev["minutes"] = state["minutes"] + (time.time() - t_start) / 60
            state["log"].append(ev)
            sc = score(ev, mode, args)
            if sc > state["best"]["score"]:
                state["best"] = {**ev, "score": sc}
                torch.save({"model": model.state_dict(), "config": model.config, "eval": ev, "step": state["step"]}, best_path)
            log(f"[{mode}] step {state['step']} loss {ev['loss']:.5f} val base {ev['base']:.3f} model {ev['model']:.3f} "
                f"hf {ev['hf_model']:.3f} (best step {state['best']['step']}) {(time.time() - t_train) / 60:.1f} min")
            state_save = dict(state)
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state_save}, ck_path)
    state["minutes"] += (time.time() - t_start) / 60
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, ck_path)
    done = state["step"] >= args.steps
    log(json.dumps({"mode": mode, "step": state["step"], "done": done, "best": state["best"], "minutes_total": state["minutes"]}))


def score(ev, mode, args):
    """Fidelity: val PSNR-Y. Realism: PSNR-Y minus a penalty for HF ratio far from 1 (selection on
    held-out training data only)."""
    if mode == "fidelity":
        return ev["model"]
    return ev["model"] - args.hf_penalty * abs(math.log(max(ev["hf_model"], 1e-6)))


# ---------------------------------------------------------------- export
def rounded_model(path):
    ck = torch.load(path)
    m = GuideRestore(**ck["config"])
    m.load_state_dict({k: v.half().float() for k, v in ck["model"].items()})
    m.eval()
    return m, ck


def export_onnx(model, path):
    sys.path.insert(0, str(HERE))
    import onnx
    from export import compact_initializers
    kwargs = {}
    import inspect
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    ex = torch.rand(1, 3, 80, 128)
    torch.onnx.export(model, ex, str(path), input_names=["base"], output_names=["restored"],
                      dynamic_axes={"base": {0: "N", 2: "H", 3: "W"}, "restored": {0: "N", 2: "H", 3: "W"}},
                      opset_version=OPSET, do_constant_folding=True, **kwargs)
    compact_initializers(str(path), "float16")
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    return os.path.getsize(path)


def cmd_export(args):
    torch.set_num_threads(args.threads)
    out = ROOT / "resources" / "models"
    fix = ROOT / "test" / "fixtures" / "restore"
    fix.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    from restore_data import load_store
    guides, targets, meta = load_store(PACK / "val.npz")
    # fixture input: a 64x40 guide of a held-out 03_blocks frame, upscaled to 80x128 (bicubic, as the decoder)
    i = next(k for k, m in enumerate(meta) if m["src"] == "video/03_blocks" and m["size"] == [64, 40])
    g = torch.from_numpy(guides[i]).permute(2, 0, 1)[None].float() / 255.0
    x = torch.clamp(F.interpolate(g, size=(80, 128), mode="bicubic", align_corners=False), 0, 1)
    q = torch.round(x * 4096).clamp(0, 4096)  # stored as uint16 q, input = q / 4096 exactly
    x = q / 4096
    q.to(torch.int32).numpy().astype(np.uint16).tofile(fix / "input-q4096-u16.bin")
    info = {"input": {"file": "input-q4096-u16.bin", "dims": [1, 3, 80, 128], "encoding": "uint16 little-endian, value = q / 4096"},
            "outputs": {}, "source": f"val pair {i}: {meta[i]['src']} frame k={meta[i]['k']} guide 64x40 q={meta[i]['q']}"}
    report = {}
    for name, ck in (("guide-restore", PACK / "best-fid.pt"), ("guide-restore-realism", PACK / "best-real.pt")):
        if not ck.exists():
            print(f"[export] {ck} missing, skipped")
            continue
        m, state = rounded_model(ck)
        nbytes = export_onnx(m, out / f"{name}.onnx")
        with torch.no_grad():
            y = m(x)
        yq = torch.round(y * 65535).clamp(0, 65535).to(torch.int32).numpy().astype(np.uint16)
        yq.tofile(fix / f"{name}-output-u16.bin")
        info["outputs"][name] = {"file": f"{name}-output-u16.bin", "dims": [1, 3, 80, 128],
                                 "encoding": "uint16 little-endian, value = q / 65535 (quantisation error <= 7.7e-6)",
                                 "onnx": f"resources/models/{name}.onnx"}
        report[name] = {"bytes": nbytes, "params": count_params(m), "gmac_512x320": macs(m) / 1e9, "step": state["step"],
                        "config": state["config"]}
        print(f"[export] {name}: {nbytes} bytes, {count_params(m)} params, {macs(m) / 1e9:.3f} GMAC at 512x320")
    (fix / "parity.json").write_text(json.dumps(info, indent=1) + "\n")
    (PACK / "export.json").write_text(json.dumps(report, indent=1))


# ---------------------------------------------------------------- evaluation clips (measurement only)
@torch.no_grad()
def cmd_evalclips(args):
    torch.set_num_threads(args.threads)
    sys.path.insert(0, str(HERE))
    from restore_data import EVAL_CLIPS, MEDIA, code_guide, working_frames
    models = {}
    for name, ck in (("fidelity", PACK / "best-fid.pt"), ("realism", PACK / "best-real.pt")):
        if ck.exists():
            models[name] = rounded_model(ck)[0]
    res = {}
    for clip in EVAL_CLIPS:
        fr = working_frames(MEDIA / "video" / f"{clip}.mp4")
        for size, fps, q in (((128, 80), 4, 55), ((96, 60), 4, 50)):
            kept, dec, nbytes = code_guide(fr, size, fps, q)
            acc = {"base": [], **{k: [] for k in models}, "hf_base": [], **{"hf_" + k: [] for k in models}}
            for s in range(0, len(kept), 4):
                b = base_from_guide(dec[s:s + 4])
                t = to_chw(fr[kept[s:s + 4]])
                ht = hf_energy(t).clamp_min(1e-12)
                acc["base"] += psnr_y(b, t).tolist()
                acc["hf_base"] += (hf_energy(b) / ht).tolist()
                for k, m in models.items():
                    o = m(b)
                    acc[k] += psnr_y(o, t).tolist()
                    acc["hf_" + k] += (hf_energy(o) / ht).tolist()
            key = f"{clip} {size[0]}x{size[1]} q{q} {fps}fps"
            res[key] = {k: float(np.mean(v)) for k, v in acc.items()}
            res[key]["frames"] = len(kept)
            res[key]["kbps"] = nbytes * 8 / (len(fr) / 8) / 1000
            print(key, json.dumps({k: round(v, 3) for k, v in res[key].items()}), flush=True)
    (PACK / "evalclips.json").write_text(json.dumps(res, indent=1))


def cmd_report(args):
    """Provenance and measured figures in one JSON next to the checkpoints."""
    import hashlib
    import subprocess
    rep = {"script": "training/restore.py, training/restore_data.py", "data": json.loads((PACK / "data.json").read_text())}
    rep["data"]["sources"] = ("train: ../shared/media/images/train/** (9 of every 10 photographs, sorted order) as 12-frame "
                              "synthetic-motion sequences + clips 01_dog, 02_cups, first 75% of 03_blocks; "
                              "val (selection only): every 10th photograph, last 25% of 03_blocks")
    for mode, ck in (("fidelity", "ckpt-fid.pt"), ("realism", "ckpt-real.pt")):
        if (PACK / ck).exists():
            st = torch.load(PACK / ck)["state"]
            rep[mode] = {"steps": st["step"], "train_minutes": st["minutes"], "best": st["best"],
                         "log": [{k: e[k] for k in ("step", "base", "model", "hf_base", "hf_model") if k in e} for e in st["log"]]}
    for f in ("export.json", "evalclips.json"):
        if (PACK / f).exists():
            rep[f.split(".")[0]] = json.loads((PACK / f).read_text())
    rep["onnx_sha256"] = {}
    for name in ("guide-restore", "guide-restore-realism"):
        f = ROOT / "resources" / "models" / f"{name}.onnx"
        if f.exists():
            rep["onnx_sha256"][name] = hashlib.sha256(f.read_bytes()).hexdigest()
    rep["seed"] = args.seed
    rep["torch"] = torch.__version__
    rep["ffmpeg"] = subprocess.run(["ffmpeg", "-version"], stdout=subprocess.PIPE).stdout.decode().split("\n")[0]
    (PACK / "guide-restore.json").write_text(json.dumps(rep, indent=1))
    print(json.dumps({k: v for k, v in rep.items() if k not in ("fidelity", "realism")}, indent=1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "realism", "export", "evalclips", "report", "info"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=30)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--ch", type=int, default=40)
    ap.add_argument("--blocks", type=int, default=3)
    ap.add_argument("--eval-every", type=int, default=None)
    ap.add_argument("--fft-weight", type=float, default=0.5)
    ap.add_argument("--hf-penalty", type=float, default=1.0)
    ap.add_argument("--fresh", action="store_true")
    a = ap.parse_args()
    if a.cmd == "train":
        a.steps, a.lr, a.eval_every = a.steps or 6000, a.lr or 1e-3, a.eval_every or 500
        run_training(a, "fidelity")
    elif a.cmd == "realism":
        a.steps, a.lr, a.eval_every = a.steps or 600, a.lr or 2e-4, a.eval_every or 100
        run_training(a, "realism")
    elif a.cmd == "export":
        cmd_export(a)
    elif a.cmd == "evalclips":
        cmd_evalclips(a)
    elif a.cmd == "report":
        cmd_report(a)
    else:
        m = GuideRestore(a.ch, a.blocks)
        print(json.dumps({"params": count_params(m), "gmac_512x320": macs(m) / 1e9}))


if __name__ == "__main__":
    main()
