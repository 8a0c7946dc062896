"""Trains the learned keyframe codec in resumable chunks of bounded wall time.

    stage 1: autoencoder + post-encoder + VQ + upsampler
        L = |D(z) - x|_1 + mse(D(z), x)                        (autoencoder)
          + w_lat * mse(z^, sg(z))                            (upsampled tokens match the latent)
          + w_px  * (|D(z^) - x|_1 + mse(D(z^), x))           (tokens decode to the picture)
          + beta  * mse(h, sg(v_k*))                          (commitment, paper's VQ-VAE loss)
        the codebook itself moves by EMA (models.VectorQuantizer), not by gradients.
    stage 2: flow-matching denoiser, everything else frozen. latent_scale is fixed first.
        x_t = (1 - t) n + t z,   n ~ Irwin-Hall(12) noise,   target v = z - n,   L = mse(v_theta, v)

    stage 3 (optional): texture fine-tune of the autoencoder's decoder only, everything else frozen.
        L = sum over D(z), D(z^) of |D - x|_1 + mse(D, x) + w_tex * |sqrt(E(D)) - sqrt(E(x))|_1,
        E(.) = 8x8 mean of the squared high-pass (x - Gaussian blur, sigma 1.5) per channel: the decoder
        is asked for the local amount of fine detail the original has, which an L1/MSE decoder averages
        away. No pretrained network involved (none exists here).

Every run resumes from <ckpt-dir>/<size>-<grid>.pt when it exists, stops at --steps (total for the
stage) or after --max-minutes, whichever comes first, and saves a checkpoint (atomically) every
--save-every steps and when it stops. Run it again to continue.

CPU smoke run (one thread, minutes):
    /usr/bin/python3 training/train.py --config tiny --grid coarse --stage 1 --steps 1000 --max-minutes 9
GPU run: see docs/learned-codec.md.
"""
import argparse
import json
import os
import shutil
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import PackSampler, psnr
from models import KeyframeCodecModel, irwin_hall_noise, load_file, make_config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Per-config training defaults; command-line flags override them.
DEFAULTS = {
    "tiny": {"batch": 8, "crop": "128x128", "lr": 1e-3, "steps1": 1000, "steps2": 4000, "steps3": 300},
    "small": {"batch": 8, "crop": "128x128", "lr": 6e-4, "steps1": 4000, "steps2": 8000, "steps3": 600},
    "full": {"batch": 32, "crop": "256x160", "lr": 4e-4, "steps1": 60000, "steps2": 60000, "steps3": 4000},
}
W_LAT, W_PX, BETA = 1.0, 1.0, 0.25
SPIKE_FACTOR = 4.0
KEEP_EVERY = 1000


def ckpt_path(args):
    return os.path.join(args.ckpt_dir, f"{args.config}-{args.grid}.pt")


def save(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def stage1_params(model, frozen_ae=False):
    mods = (model.post, model.upsampler) if frozen_ae else (model.ae, model.post, model.upsampler)
    return [p for m in mods for p in m.parameters()]


def stage1_loss(model, x, frozen_ae=False):
    # With a frozen autoencoder (another grid's, --init-ae) only the token path learns; D(z^) below
    # still back-propagates through the frozen decoder into the upsampler.
    with torch.set_grad_enabled(not frozen_ae):
        z = model.ae.encode(x)
        rec = model.ae.decode(z)
    h = model.post(z)
    q, idx, commit = model.vq(h)
    zhat = model.upsampler(q)
    rec_hat = model.ae.decode(zhat)
    loss_ae = F.l1_loss(rec, x) + F.mse_loss(rec, x)
    loss_lat = F.mse_loss(zhat, z.detach())
    loss_px = F.l1_loss(rec_hat, x) + F.mse_loss(rec_hat, x)
    loss = (0.0 if frozen_ae else loss_ae) + W_LAT * loss_lat + W_PX * loss_px + BETA * commit
    used = int(torch.unique(idx).numel())
    return loss, {"ae": loss_ae.item(), "lat": loss_lat.item(), "px": loss_px.item(), "commit": commit.item(),
                  "codes_in_batch": used}


@torch.no_grad()
def conditioning(model, x):
    """Scaled latent z and scaled z^ from the frozen stage-1 models."""
    z = model.ae.encode(x) * model.latent_scale
    zhat = model.zhat_scaled(model.vq.indices(model.post(model.ae.encode(x))))
    return z, zhat


def stage2_loss(model, x, gen):
    z, zhat = conditioning(model, x)
    n = irwin_hall_noise(z.shape, generator=gen, device=z.device)
    t = torch.rand(z.shape[0], generator=gen, device=z.device)
    xt = (1 - t)[:, None, None, None] * n + t[:, None, None, None] * z
    text = torch.zeros(z.shape[0], model.cfg["text_dim"], device=z.device)
    v = model.denoiser(xt, t, zhat, text)
    loss = F.mse_loss(v, z - n)
    return loss, {"fm": loss.item()}


W_TEX = 2.0


def _blur_kernel(sigma=1.5, size=9):
    r = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-r * r / (2 * sigma * sigma))
    return g / g.sum()


def high_pass(x):
    k = _blur_kernel().to(x.device)
    c = x.shape[1]
    pad = F.pad(x, (4, 4, 4, 4), mode="reflect")
    b = F.conv2d(pad, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    b = F.conv2d(b, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return x - b


def local_detail(x):
    return torch.sqrt(F.avg_pool2d(high_pass(x) ** 2, 8) + 1e-6)


def texture_loss(rec, x):
    return F.l1_loss(local_detail(rec), local_detail(x))


def hf_ratio(rec, x):
    return float((high_pass(rec.clamp(0, 1)) ** 2).mean() / (high_pass(x) ** 2).mean().clamp_min(1e-12))


def stage3_loss(model, x):
    with torch.no_grad():
        z = model.ae.encode(x)
        zhat = model.upsampler(model.vq.lookup(model.vq.indices(model.post(z))))
    total, parts = 0.0, {}
    for name, lat in (("ae", z), ("tok", zhat)):
        rec = model.ae.decode(lat)
        pix = F.l1_loss(rec, x) + F.mse_loss(rec, x)
        tex = texture_loss(rec, x)
        total = total + pix + W_TEX * tex
        parts[f"{name}_px"], parts[f"{name}_tex"] = pix.item(), tex.item()
    return total, parts


@torch.no_grad()
def measure_latent_scale(model, sampler, device, batches=8):
    zs = [model.ae.encode(sampler.batch(16, device)) for _ in range(batches)]
    return float(1.0 / torch.cat(zs).std())


def state_has_denoiser(model):
    """True once stage 2 has fixed the latent scale (an untrained denoiser's samples mean nothing)."""
    return float(model.latent_scale) != 1.0


@torch.no_grad()
def validate(model, sampler, device, stage, steps=4):
    model.eval()
    x = sampler.validation(device)
    z = model.ae.encode(x)
    idx = model.vq.indices(model.post(z))
    zhat = model.zhat_scaled(idx)
    rec_ae, rec_tok = model.ae.decode(z), model.decode_scaled(zhat)
    out = {"psnr_ae": psnr(rec_ae, x), "psnr_tokens": psnr(rec_tok, x), "hf_ae": hf_ratio(rec_ae, x),
           "hf_tokens": hf_ratio(rec_tok, x), "codes_used": int(torch.unique(idx).numel())}
    if stage == 2 or state_has_denoiser(model):
        gen = torch.Generator(device=device).manual_seed(0)
        noise = irwin_hall_noise(zhat.shape, generator=gen, device=device)
        rec = model.decode_scaled(model.sample(zhat, steps, noise))
        out[f"psnr_diffusion_{steps}"], out[f"hf_diffusion_{steps}"] = psnr(rec, x), hf_ratio(rec, x)
    model.train()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", default=os.path.join(REPO, ".pack", "train.npz"))
    ap.add_argument("--ckpt-dir", default=os.path.join(REPO, ".pack", "ckpt"))
    ap.add_argument("--config", choices=sorted(DEFAULTS), default="tiny")
    ap.add_argument("--grid", choices=["coarse", "fine"], default="coarse")
    ap.add_argument("--stage", type=int, choices=[1, 2, 3], required=True)
    ap.add_argument("--steps", type=int, help="total steps of this stage (default per config)")
    ap.add_argument("--max-minutes", type=float, default=9.0, help="wall-time budget of this chunk")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--crop", help="WxH, multiples of 16")
    ap.add_argument("--lr", type=float)
    ap.add_argument("--init-ae", help="stage 1 of a new checkpoint: copy the autoencoder from this checkpoint and keep it "
                    "frozen (the fine grid shares the coarse grid's autoencoder)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--save-every", type=int, default=200)
    ap.add_argument("--log-every", type=int, default=50)
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(args.threads)
    # Subnormal floats appear in the activations after a few hundred steps and make CPU convolutions
    # several times slower (measured: 0.44 -> 1.3 s per step); flushing them to zero costs no accuracy.
    torch.set_flush_denormal(True)
    d = DEFAULTS[args.config]
    batch = args.batch or d["batch"]
    crop = tuple(int(v) for v in (args.crop or d["crop"]).split("x"))
    lr = args.lr or d["lr"]
    total = args.steps or d[f"steps{args.stage}"]
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.ckpt_dir, exist_ok=True)
    path = ckpt_path(args)

    torch.manual_seed(args.seed)
    model = KeyframeCodecModel(make_config(args.config, args.grid)).to(device)
    sampler = PackSampler(args.pack, crop, args.seed * 1000 + args.stage)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    state = {"cfg": model.cfg, "stage_steps": {"1": 0, "2": 0, "3": 0}, "log": []}
    opt_state = None
    if os.path.exists(path):
        state = load_file(path, map_location=device)
        model.load_state_dict(state["model"])
        opt_state = state.get(f"opt{args.stage}")
        if state.get(f"sampler{args.stage}"):
            sampler.restore(state[f"sampler{args.stage}"])
        if state.get(f"gen{args.stage}") is not None:
            gen.set_state(state[f"gen{args.stage}"].cpu())  # generator states are CPU byte tensors on every device
    elif args.stage >= 2:
        raise SystemExit(f"stage {args.stage} needs the stage-1 checkpoint {path}")
    elif args.init_ae:
        src = load_file(args.init_ae, map_location=device)["model"]
        model.ae.load_state_dict({k[len("ae."):]: v for k, v in src.items() if k.startswith("ae.")})
        state["ae_from"] = os.path.basename(args.init_ae)
    state["stage_steps"].setdefault("3", 0)  # checkpoints from before stage 3 existed
    frozen_ae = bool(state.get("ae_from"))
    if frozen_ae:
        for p in model.ae.parameters():
            p.requires_grad_(False)

    if args.stage == 1:
        params = stage1_params(model, frozen_ae)
        step_fn = lambda x: stage1_loss(model, x, frozen_ae)  # noqa: E731
    elif args.stage == 3:
        for p in model.parameters():
            p.requires_grad_(False)
        params = list(model.ae.dec.parameters())
        for p in params:
            p.requires_grad_(True)
        step_fn = lambda x: stage3_loss(model, x)  # noqa: E731
    else:
        if state["stage_steps"]["2"] == 0:
            model.latent_scale.fill_(measure_latent_scale(model, sampler, device))
        for p in model.parameters():
            p.requires_grad_(False)
        params = list(model.denoiser.parameters())
        for p in params:
            p.requires_grad_(True)
        step_fn = lambda x: stage2_loss(model, x, gen)  # noqa: E731
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    if opt_state:
        opt.load_state_dict(opt_state)
    # Cosine decay over the whole stage, with a short warm-up; a function of the step so resume is exact.
    warm = max(1, total // 50)
    sched = lambda s: lr * min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(s, total) / total)))  # noqa: E731

    def checkpoint():
        state.update({"model": model.state_dict(), f"opt{args.stage}": opt.state_dict(),
                      f"sampler{args.stage}": sampler.state(), f"gen{args.stage}": gen.get_state(),
                      "cfg": model.cfg, f"ema_loss{args.stage}": ema_loss})
        save(path, state)

    model.train()
    step = state["stage_steps"][str(args.stage)]
    start_step = step
    ema_loss = state.get(f"ema_loss{args.stage}")
    deadline = t0 + args.max_minutes * 60
    while step < total and time.time() < deadline:
        for g in opt.param_groups:
            g["lr"] = sched(step)
        x = sampler.batch(batch, device)
        loss, parts = step_fn(x)
        opt.zero_grad(set_to_none=True)
        # A loss far above its running mean is the start of a divergence (seen once at lr 1e-3 on the
        # small config: the autoencoder collapsed within 100 steps); skipping that update keeps the run.
        value = loss.item()
        spike = not np.isfinite(value) or (ema_loss is not None and step > warm and value > SPIKE_FACTOR * ema_loss)
        # The mean follows even skipped values (capped), so a lasting change of level is accepted
        # within ~70 steps instead of locking every later update out.
        ema_loss = value if ema_loss is None else 0.98 * ema_loss + 0.02 * min(value, SPIKE_FACTOR * ema_loss)
        if spike:
            state[f"skipped{args.stage}"] = state.get(f"skipped{args.stage}", 0) + 1
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        step += 1
        state["stage_steps"][str(args.stage)] = step
        if step % args.log_every == 0:
            line = {"stage": args.stage, "step": step, "loss": round(loss.item(), 5),
                    **{k: round(v, 5) if isinstance(v, float) else v for k, v in parts.items()},
                    "skipped": state.get(f"skipped{args.stage}", 0), "min": round((time.time() - t0) / 60, 2)}
            print(json.dumps(line), flush=True)
        if step % args.save_every == 0:
            checkpoint()
        if step % KEEP_EVERY == 0:  # a rollback point in case a run still goes wrong
            shutil.copyfile(path, f"{path[:-3]}-s{args.stage}-{step}.pt")
    val = validate(model, sampler, device, args.stage)
    state["log"].append({"stage": args.stage, "from": start_step, "to": step, "minutes": round((time.time() - t0) / 60, 2),
                         "device": str(device), "batch": batch, "crop": list(crop), **val})
    checkpoint()
    print(json.dumps({"done": step >= total, **state["log"][-1]}), flush=True)


if __name__ == "__main__":
    main()
