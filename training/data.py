"""Batches from the training pack (.npz of uint8 crops written by pack.py): random sub-crops and
horizontal flips on top of the pack's own augmentation. Pure numpy + torch, no ffmpeg, no PIL, so it
runs unchanged on the GPU machine."""
import numpy as np
import torch


class PackSampler:
    def __init__(self, path, crop, seed, holdout=8):
        """crop: (width, height), multiples of 16. The last `holdout` crops of each array are kept out
        of training and used for validation."""
        with np.load(path) as pack:
            arrays = [pack[k] for k in ("small", "large") if k in pack.files and len(pack[k])]
        self.crop_w, self.crop_h = crop
        if self.crop_w % 16 or self.crop_h % 16:
            raise ValueError(f"crop {crop} must be multiples of 16")
        usable = [a for a in arrays if a.shape[1] >= self.crop_h and a.shape[2] >= self.crop_w]
        if not usable:
            raise ValueError(f"no crops in {path} are at least {crop}")
        split = [len(a) - holdout if holdout and len(a) > 2 * holdout else len(a) for a in usable]
        self.train = [a[:n] for a, n in zip(usable, split)]
        self.val = [a[n:] if n < len(a) else a[:1] for a, n in zip(usable, split)]
        self.weights = np.array([len(a) for a in self.train], dtype=np.float64)
        self.weights /= self.weights.sum()
        self.rng = np.random.default_rng(seed)

    def state(self):
        return self.rng.bit_generator.state

    def restore(self, state):
        self.rng.bit_generator.state = state

    def _cut(self, img, rng):
        h, w = img.shape[:2]
        y = int(rng.integers(0, h - self.crop_h + 1))
        x = int(rng.integers(0, w - self.crop_w + 1))
        out = img[y:y + self.crop_h, x:x + self.crop_w]
        return out[:, ::-1] if rng.random() < 0.5 else out

    def batch(self, n, device="cpu"):
        rng = self.rng
        srcs = rng.choice(len(self.train), size=n, p=self.weights)
        crops = [self._cut(self.train[s][int(rng.integers(0, len(self.train[s])))], rng) for s in srcs]
        return to_tensor(np.stack(crops), device)

    def validation(self, device="cpu"):
        """Fixed centre crops of the held-out images."""
        out = []
        for a in self.val:
            h, w = a.shape[1:3]
            y, x = (h - self.crop_h) // 2, (w - self.crop_w) // 2
            out.append(a[:, y:y + self.crop_h, x:x + self.crop_w])
        return to_tensor(np.concatenate(out), device)


def to_tensor(u8, device="cpu"):
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float32 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(u8)).to(device).permute(0, 3, 1, 2).float().div_(255.0)


def psnr(a, b):
    mse = torch.mean((a.clamp(0, 1) - b) ** 2).item()
    return 10 * np.log10(1.0 / max(mse, 1e-10))
