"""Data builder for the guide-restoration model (training/restore.py).

Makes (guide, target) pairs with the product's real guide-stream chain:
  working frames 512x320 @ 8 fps (RGB)  ->  ffmpeg scale=WxH:flags=area+accurate_rnd,format=yuv420p
  -> AV1 (libsvtav1 -preset 6 -crf Q -g 9999; libaom-av1 -cpu-used 6 for 64x40) raw OBU
  -> libdav1d -> rgb24 at WxH.
The base (bicubic upscale to 512x320, torch, align_corners=False, clamp) is computed from the stored
small decoded guide at load time (restore.base_from_guide), so the cache holds uint8 only.

Sources: ../shared/media/images/train/** (photographs, made into short 8 fps sequences with synthetic
motion: pans, zooms, rotation, small homographies, an optional moving layer) and the training clips
01_dog, 02_cups, 03_blocks. Never Kodak, never the evaluation clips.
Validation (checkpoint selection only, never gradients): every 10th photograph (sorted order) and the
last 25% of the working frames of 03_blocks.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MEDIA = (ROOT / ".." / "shared" / "media").resolve()
W, H, FPS = 512, 320, 8
SIZES = [(64, 40), (96, 60), (128, 80), (160, 100), (192, 120)]
RATES = [8, 4, 2]
Q_RANGE = (35, 63)
TRAIN_CLIPS = ["01_dog", "02_cups", "03_blocks"]
EVAL_CLIPS = ["04_coffee", "05_juggle", "bedroom", "bikes", "carphone"]
WORK_FILTER = ("fps=8/1,scale=512:320:force_original_aspect_ratio=increase:force_divisible_by=2:flags=bicubic+accurate_rnd+full_chroma_int,"
               "crop=512:320,setsar=1,format=rgb24")  # crop fit (cover, centre cut), as media/geometry.ts


def ffmpeg(args, stdin=None):
    p = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-threads", "1"] + args, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("ffmpeg failed: " + " ".join(args) + "\n" + p.stderr.decode(errors="replace")[-2000:])
    return p.stdout


def working_frames(path):
    """The product's working frames of a video: 512x320 RGB at 8 fps (crop fit)."""
    raw = ffmpeg(["-i", str(path), "-map", "0:v:0", "-an", "-vf", WORK_FILTER, "-fps_mode", "passthrough",
                  "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)


def kept_frames(count, fps):
    """Coded frame k is working frame floor(k * 8 / fps) (anchor-search.ts keptFrames)."""
    out = []
    k = 0
    while True:
        i = (k * FPS) // fps
        if i >= count:
            return out
        if not out or out[-1] != i:
            out.append(i)
        k += 1


def code_guide(frames, size, fps, q):
    """Codes `frames` (T,320,512,3 uint8 working frames at 8 fps) as a guide stream; returns
    (kept indices, decoded guide frames (K,h,w,3) uint8, stream bytes)."""
    w, h = size
    kept = kept_frames(len(frames), fps)
    data = np.ascontiguousarray(frames[kept]).tobytes()
    if w < 64 or h < 64:
        enc = ["-c:v", "libaom-av1", "-cpu-used", "6", "-crf", str(q), "-b:v", "0", "-g", "9999", "-threads", "1"]
    else:
        enc = ["-c:v", "libsvtav1", "-preset", "6", "-crf", str(q), "-g", "9999", "-svtav1-params", "lp=1"]
    with tempfile.TemporaryDirectory(prefix="restore-") as d:
        obu = os.path.join(d, "g.obu")
        ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-framerate", str(fps), "-i", "pipe:0",
                "-vf", f"scale={w}:{h}:flags=area+accurate_rnd,format=yuv420p"] + enc + ["-f", "obu", "-y", obu], stdin=data)
        nbytes = os.path.getsize(obu)
        raw = ffmpeg(["-c:v", "libdav1d", "-f", "obu", "-i", obu, "-vf", "format=rgb24", "-fps_mode", "passthrough",
                      "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
    dec = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
    if len(dec) != len(kept):
        raise RuntimeError(f"decoded {len(dec)} frames, expected {len(kept)}")
    return kept, dec, nbytes


def photo_list():
    files = sorted(p for p in (MEDIA / "images" / "train").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    assert files and not any("kodak" in str(p).lower() for p in files)
    return files


def _persp_coeffs(c, s, th, g, hh, shear):
    """PIL PERSPECTIVE coefficients (a..h) mapping output (x, y) to the source point
    c + A (x - 256, y - 160) / (1 + g (x - 256) + h (y - 160)), A = s R(th) with a small shear."""
    ca, sa = np.cos(th) * s, np.sin(th) * s
    a, b, d, e = ca, -sa + shear * s, sa, ca
    x0, y0 = -W / 2, -H / 2
    den_c = 1 + g * x0 + hh * y0
    k = (a + c[0] * g, b + c[0] * hh, a * x0 + b * y0 + c[0] * den_c,
         d + c[1] * g, e + c[1] * hh, d * x0 + e * y0 + c[1] * den_c, g, hh)
    return tuple(float(v) / den_c for v in k)


def _inside(coeffs, img_w, img_h):
    a, b, c, d, e, f, g, hh = coeffs
    for x, y in ((0, 0), (W, 0), (0, H), (W, H), (W / 2, 0), (W / 2, H), (0, H / 2), (W, H / 2)):
        den = g * x + hh * y + 1
        if den <= 0.2:
            return False
        u, v = (a * x + b * y + c) / den, (d * x + e * y + f) / den
        if not (1 <= u <= img_w - 2 and 1 <= v <= img_h - 2):
            return False
    return True


def synth_sequence(img, rng, length, layer=None):
    """A `length`-frame 512x320 8 fps sequence from a photograph with a random smooth camera motion
    (pan, zoom, rotation, small homography) and optionally a second photograph's patch moving over it."""
    iw, ih = img.size
    # scale (source px per output px); zoom out large photographs with a proper low-pass first
    smax = min((iw - 4) / (W * 1.15), (ih - 4) / (H * 1.15))
    s_want = float(np.exp(rng.uniform(np.log(0.55), np.log(1.6))))
    if s_want > 1.0 and smax > 1.0:
        f = min(s_want, smax)
        img = img.resize((max(W + 8, int(iw / f)), max(H + 8, int(ih / f))), Image.LANCZOS)
        iw, ih = img.size
        smax = min((iw - 4) / (W * 1.15), (ih - 4) / (H * 1.15))
        s_want = 1.0
    s0 = min(s_want, smax * 0.95)
    z = float(np.exp(rng.uniform(-0.12, 0.12)))
    s1 = min(s0 * z, smax * 0.95)
    th0 = rng.uniform(-0.06, 0.06)
    th1 = th0 + rng.uniform(-0.05, 0.05)
    persp = rng.random() < 0.5
    g0, h0 = (rng.uniform(-2e-4, 2e-4), rng.uniform(-2e-4, 2e-4)) if persp else (0.0, 0.0)
    g1, h1 = (g0 + rng.uniform(-1e-4, 1e-4), h0 + rng.uniform(-1e-4, 1e-4)) if persp else (0.0, 0.0)
    shear = rng.uniform(-0.03, 0.03)
    speed = rng.choice([0.0, 2.0, 6.0, 14.0, 24.0]) * s0  # source px per frame
    ang = rng.uniform(0, 2 * np.pi)
    for _ in range(60):
        c0 = np.array([rng.uniform(0, iw), rng.uniform(0, ih)])
        c1 = c0 + speed * (length - 1) * np.array([np.cos(ang), np.sin(ang)])
        ok = True
        for t in (0.0, 1.0):
            c = c0 * (1 - t) + c1 * t
            s, th, g, hh = s0 + (s1 - s0) * t, th0 + (th1 - th0) * t, g0 + (g1 - g0) * t, h0 + (h1 - h0) * t
            if not _inside(_persp_coeffs(c, s, th, g, hh, shear), iw, ih):
                ok = False
                break
        if ok:
            break
        speed *= 0.9
    else:  # fall back: still, centred, no rotation/perspective
        c0 = c1 = np.array([iw / 2, ih / 2])
        th0 = th1 = g0 = g1 = h0 = h1 = shear = 0.0
        s0 = s1 = min(s0, smax * 0.95)
    patch = None
    if layer is not None:
        lw, lh = layer.size
        pw, ph = int(rng.integers(80, 220)), int(rng.integers(60, 180))
        if lw > pw + 2 and lh > ph + 2:
            px, py = int(rng.integers(0, lw - pw)), int(rng.integers(0, lh - ph))
            patch = layer.crop((px, py, px + pw, py + ph))
            p0 = np.array([rng.uniform(-pw / 2, W - pw / 2), rng.uniform(-ph / 2, H - ph / 2)])
            pv = rng.uniform(-18, 18, size=2)
    out = np.empty((length, H, W, 3), np.uint8)
    for k in range(length):
        t = k / max(1, length - 1)
        c = c0 * (1 - t) + c1 * t
        s, th, g, hh = s0 + (s1 - s0) * t, th0 + (th1 - th0) * t, g0 + (g1 - g0) * t, h0 + (h1 - h0) * t
        fr = img.transform((W, H), Image.PERSPECTIVE, _persp_coeffs(c, s, th, g, hh, shear), Image.BICUBIC)
        if patch is not None:
            p = p0 + pv * k
            fr.paste(patch, (int(round(p[0])), int(round(p[1]))))
        out[k] = np.asarray(fr)
    return out


def random_config(rng):
    return SIZES[int(rng.integers(len(SIZES)))], RATES[int(rng.integers(len(RATES)))], int(rng.integers(Q_RANGE[0], Q_RANGE[1] + 1))


class Store:
    def __init__(self):
        self.guides, self.targets, self.meta = [], [], []

    def add(self, guide, target, **meta):
        self.guides.append(np.ascontiguousarray(guide))
        self.targets.append(np.ascontiguousarray(target))
        self.meta.append(meta)

    def save(self, path):
        shapes = np.array([g.shape[:2] for g in self.guides], np.int32)
        offs = np.concatenate([[0], np.cumsum([g.size for g in self.guides])]).astype(np.int64)
        np.savez(path, targets=np.stack(self.targets), guides=np.concatenate([g.ravel() for g in self.guides]),
                 guide_shapes=shapes, guide_offsets=offs, meta=np.array(json.dumps(self.meta)))


def load_store(path):
    z = np.load(path)
    flat, shapes, offs = z["guides"], z["guide_shapes"], z["guide_offsets"]
    guides = [flat[offs[i]:offs[i + 1]].reshape(shapes[i][0], shapes[i][1], 3) for i in range(len(shapes))]
    return guides, z["targets"], json.loads(str(z["meta"]))


def build(out_dir, seed=0, seqs_per_photo=3, seq_len=12, keep_per_seq=4, clip_configs=8, limit_photos=None, log=print):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    photos = photo_list()
    if limit_photos:
        photos = photos[:limit_photos]
    train, val = Store(), Store()
    t0 = time.time()
    imgs = {}

    def load(p):
        if p not in imgs:
            imgs[p] = Image.open(p).convert("RGB")
        return imgs[p]

    val_photos = [p for i, p in enumerate(photos) if i % 10 == 9]
    train_photos = [p for i, p in enumerate(photos) if i % 10 != 9]
    for split, plist, store, nseq in (("train", train_photos, train, seqs_per_photo), ("val", val_photos, val, 1)):
        for pi, p in enumerate(plist):
            for si in range(nseq):
                others = [q for q in plist if q != p]
                layer = load(others[int(rng.integers(len(others)))]) if others and rng.random() < 0.4 else None
                frames = synth_sequence(load(p), rng, seq_len, layer)
                if split == "val":  # fixed, spread configs
                    j = pi + si
                    size, fps, q = SIZES[j % len(SIZES)], RATES[(j // len(SIZES)) % len(RATES)], Q_RANGE[0] + (j * 7) % (Q_RANGE[1] - Q_RANGE[0] + 1)
                else:
                    size, fps, q = random_config(rng)
                kept, dec, nbytes = code_guide(frames, size, fps, q)
                pick = list(range(len(kept)))
                if len(pick) > keep_per_seq:
                    pick = sorted(rng.choice(len(kept), keep_per_seq, replace=False).tolist())
                for k in pick:
                    store.add(dec[k], frames[kept[k]], src=str(p.relative_to(MEDIA)), size=list(size), fps=fps, q=q, k=k, bytes=nbytes)
            if pi % 25 == 0:
                log(f"[data] {split} photo {pi}/{len(plist)} pairs={len(store.meta)} {time.time() - t0:.0f}s")
        imgs.clear()
    for clip in TRAIN_CLIPS:
        fr = working_frames(MEDIA / "video" / f"{clip}.mp4")
        if clip == "03_blocks":
            cut = int(round(len(fr) * 0.75))
            parts = [("train", fr[:cut], train, clip_configs), ("val", fr[cut:], val, 4)]
        else:
            parts = [("train", fr, train, clip_configs)]
        for split, seg, store, ncfg in parts:
            for ci in range(ncfg):
                if split == "val":
                    size, fps, q = [((64, 40), 8, 45), ((96, 60), 4, 50), ((128, 80), 4, 55), ((192, 120), 2, 40)][ci % 4]
                else:
                    size, fps, q = random_config(rng)
                # random start offset so different configs code different frames
                off = 0 if split == "val" else int(rng.integers(0, FPS // fps))
                kept, dec, nbytes = code_guide(seg[off:], size, fps, q)
                for k, i in enumerate(kept):
                    store.add(dec[k], seg[off + i], src=f"video/{clip}", size=list(size), fps=fps, q=q, k=k, bytes=nbytes)
            log(f"[data] {clip} {split} pairs={len(store.meta)} {time.time() - t0:.0f}s")
    train.save(out_dir / "train.npz")
    val.save(out_dir / "val.npz")
    info = {"seed": seed, "seqs_per_photo": seqs_per_photo, "seq_len": seq_len, "keep_per_seq": keep_per_seq,
            "clip_configs": clip_configs, "train_pairs": len(train.meta), "val_pairs": len(val.meta),
            "train_photos": len(train_photos), "val_photos": len(val_photos), "minutes": (time.time() - t0) / 60}
    (out_dir / "data.json").write_text(json.dumps(info, indent=1))
    log(f"[data] done {info}")
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / ".pack" / "restore"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seqs-per-photo", type=int, default=3)
    ap.add_argument("--clip-configs", type=int, default=8)
    a = ap.parse_args()
    build(a.out, seed=a.seed, seqs_per_photo=a.seqs_per_photo, clip_configs=a.clip_configs, log=lambda s: print(s, flush=True))


if __name__ == "__main__":
    sys.exit(main())
