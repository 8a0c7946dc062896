"""Builds the compact, self-contained training pack for the learned keyframe codec.

The GPU machine has no ffmpeg and no access to ../shared/media, so everything training needs is
cut here into uint8 RGB crops and stored in one compressed .npz:

    small: (N, 160, 256, 3) uint8    large: (M, 320, 512, 3) uint8

Sources: ../shared/media/images/train/** and frames of the TRAINING clips only (01_dog, 02_cups,
03_blocks; see ../shared/media/README.md). Kodak and the evaluation clips are never read: the
source list is built from those two places and nothing else.

Augmentation baked into the pack: a random downscale of the source (never an upscale, which would
teach the model blur), a random crop, a random horizontal flip. Training adds its own random
sub-crops and flips on top. Everything is driven by one seed, so the same media give the same pack.

Usage:  /usr/bin/python3 training/pack.py --out .pack/train.npz [--small 300 --large 60 --seed 1]
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.environ.get("M3C_MEDIA_DIR", os.path.join(REPO, "..", "shared", "media"))
TRAINING_CLIPS = ("01_dog.mp4", "02_cups.mp4", "03_blocks.mp4")
SIZES = {"small": (256, 160), "large": (512, 320)}
MAX_PACK_BYTES = 50 * 1024 * 1024


def image_sources():
    root = os.path.join(MEDIA, "images", "train")
    files = sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True))
    return [f for f in files if f.lower().endswith((".jpg", ".jpeg", ".png"))]


def clip_frames(clip, every_sec, tmp):
    """Frames of a training clip every `every_sec` seconds, as PNG files decoded by ffmpeg."""
    src = os.path.join(MEDIA, "video", clip)
    pattern = os.path.join(tmp, os.path.splitext(clip)[0] + "_%04d.png")
    subprocess.run(
        ["/usr/bin/ffmpeg", "-v", "error", "-i", src, "-vf", f"fps=1/{every_sec}", pattern],
        check=True,
    )
    return sorted(glob.glob(pattern.replace("%04d", "*")))


def random_crop(img, size, rng):
    """Downscale by a random factor (keeping the crop inside), random crop, random flip."""
    w, h = size
    sw, sh = img.size
    min_scale = max(w / sw, h / sh)
    if min_scale > 1.0:
        # Too small for this crop: upscale only as much as needed (cbsd68 is 481x321).
        scale = min_scale
    else:
        scale = rng.uniform(max(min_scale, 0.35), 1.0)
    nw, nh = max(w, round(sw * scale)), max(h, round(sh * scale))
    if (nw, nh) != (sw, sh):
        img = img.resize((nw, nh), Image.BICUBIC if scale > 1 else Image.LANCZOS)
    x = int(rng.integers(0, nw - w + 1))
    y = int(rng.integers(0, nh - h + 1))
    arr = np.asarray(img.crop((x, y, x + w, y + h)), dtype=np.uint8)
    if rng.random() < 0.5:
        arr = arr[:, ::-1]
    return np.ascontiguousarray(arr)


def build(out, n_small, n_large, seed, every_sec):
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        sources = image_sources()
        n_images = len(sources)
        for clip in TRAINING_CLIPS:
            sources += clip_frames(clip, every_sec, tmp)
        if not sources:
            sys.exit(f"no training media under {MEDIA}")
        images = [Image.open(f).convert("RGB") for f in sources]
        pack = {}
        for name, count in (("small", n_small), ("large", n_large)):
            picks = rng.integers(0, len(images), size=count)
            pack[name] = np.stack([random_crop(images[i], SIZES[name], rng) for i in picks]) if count else np.zeros(
                (0, SIZES[name][1], SIZES[name][0], 3), np.uint8)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    np.savez_compressed(out, **pack)
    size = os.path.getsize(out)
    if size > MAX_PACK_BYTES:
        os.remove(out)
        sys.exit(f"pack would be {size} bytes (> {MAX_PACK_BYTES}); lower --small/--large")
    digest = hashlib.sha256(open(out, "rb").read()).hexdigest()
    info = {
        "file": os.path.basename(out), "bytes": size, "sha256": digest, "seed": seed,
        "small": list(pack["small"].shape), "large": list(pack["large"].shape),
        "sources": {"images": n_images, "clip_frames": len(sources) - n_images, "clips": list(TRAINING_CLIPS),
                    "clip_every_sec": every_sec},
    }
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, ".pack", "train.npz"))
    ap.add_argument("--small", type=int, default=320, help="number of 256x160 crops")
    ap.add_argument("--large", type=int, default=50, help="number of 512x320 crops")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--clip-every-sec", type=float, default=0.5, help="seconds between sampled clip frames")
    a = ap.parse_args()
    build(a.out, a.small, a.large, a.seed, a.clip_every_sec)


if __name__ == "__main__":
    main()
