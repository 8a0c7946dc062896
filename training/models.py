"""Models of the learned keyframe codec (paper section II-C), sized by a config so the same code
trains a tiny CPU model and the full GPU model. PyTorch 1.13 and 2.x.

    RGB --AE encoder--> z (latent_ch @ 1/8) --post-encoder--> h (vq_dim @ 1/16 coarse, 1/8 fine)
        --VQ (256 entries, Euclidean)--> token map K
    K --codebook lookup--> h^ --upsampler--> z^ (@ 1/8)
      --flow-matching denoiser, <= 8 Euler steps from seeded noise, conditioned on z^ and a text
        embedding--> z_d --AE decoder--> RGB

Stage 1 trains the autoencoder, post-encoder, VQ and upsampler in raw latent units. The denoiser works
in "scaled" units z * latent_scale, with latent_scale = 1/std(z) measured on the training pack when
stage 2 starts (the role of Stable Diffusion's 0.18215), so its noise and its data have comparable
variance. The exported graphs carry the scale: z^ comes out scaled, the latent decoder takes scaled
latents.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

GRIDS = {"coarse": 16, "fine": 8}
LATENT_STRIDE = 8
CODEBOOK_SIZE = 256
LATENT_BOUND = 3.0


class ResBlock(nn.Module):
    def __init__(self, ch, emb_ch=0):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)
        self.emb = nn.Linear(emb_ch, ch) if emb_ch else None

    def forward(self, x, emb=None):
        y = self.conv1(F.silu(x))
        if self.emb is not None:
            y = y + self.emb(emb)[:, :, None, None]
        return x + self.conv2(F.silu(y))


class AttentionBlock(nn.Module):
    """ELIC / Cheng et al. simplified attention: a residual trunk gated by a sigmoid mask branch.
    Purely convolutional, so it works at any grid size and exports to plain ONNX operators."""

    def __init__(self, ch):
        super().__init__()
        half = max(ch // 2, 8)

        def unit():
            return nn.Sequential(nn.Conv2d(ch, half, 1), nn.SiLU(), nn.Conv2d(half, half, 3, padding=1), nn.SiLU(),
                                 nn.Conv2d(half, ch, 1))

        self.trunk = nn.ModuleList([unit() for _ in range(2)])
        self.mask = nn.ModuleList([unit() for _ in range(2)])
        self.mask_out = nn.Conv2d(ch, ch, 1)

    def forward(self, x):
        t = x
        for u in self.trunk:
            t = t + u(t)
        m = x
        for u in self.mask:
            m = m + u(m)
        return x + t * torch.sigmoid(self.mask_out(m))


def down(cin, cout):
    return nn.Conv2d(cin, cout, 4, stride=2, padding=1)


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class AutoEncoder(nn.Module):
    """RGB in [0,1] <-> latent at 1/8 (the role of the paper's pretrained VAE)."""

    def __init__(self, ch=(16, 32, 64), latent_ch=4):
        super().__init__()
        c1, c2, c3 = ch
        self.enc = nn.Sequential(
            nn.Conv2d(3, c1, 3, padding=1), ResBlock(c1),
            down(c1, c2), ResBlock(c2),
            down(c2, c3), ResBlock(c3),
            down(c3, c3), ResBlock(c3), ResBlock(c3),
            nn.SiLU(), nn.Conv2d(c3, latent_ch, 1),
        )
        self.dec = nn.Sequential(
            nn.Conv2d(latent_ch, c3, 3, padding=1), ResBlock(c3), ResBlock(c3),
            Up(c3, c3), ResBlock(c3),
            Up(c3, c2), ResBlock(c2),
            Up(c2, c1), ResBlock(c1),
            nn.SiLU(), nn.Conv2d(c1, 3, 3, padding=1),
        )

    def encode(self, rgb):
        # A soft bound: without it the latent's scale drifts freely and the VQ losses chase it.
        return LATENT_BOUND * torch.tanh(self.enc(rgb * 2.0 - 1.0) / LATENT_BOUND)

    def decode(self, z):
        """RGB, roughly [0,1] (not clamped: clamping stops gradients at the borders)."""
        return self.dec(z) * 0.5 + 0.5


class PostEncoder(nn.Module):
    def __init__(self, latent_ch, ch, vq_dim, grid):
        super().__init__()
        layers = [nn.Conv2d(latent_ch, ch, 3, padding=1), ResBlock(ch), AttentionBlock(ch)]
        if GRIDS[grid] == 16:
            layers += [down(ch, ch)]
        layers += [ResBlock(ch), AttentionBlock(ch), nn.SiLU(), nn.Conv2d(ch, vq_dim, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


class Upsampler(nn.Module):
    """h^ -> z^ (scaled latent units)."""

    def __init__(self, latent_ch, ch, vq_dim, grid):
        super().__init__()
        layers = [nn.Conv2d(vq_dim, ch, 1), ResBlock(ch), AttentionBlock(ch)]
        if GRIDS[grid] == 16:
            layers += [Up(ch, ch)]
        layers += [ResBlock(ch), ResBlock(ch), nn.SiLU(), nn.Conv2d(ch, latent_ch, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, h):
        return self.net(h)


class VectorQuantizer(nn.Module):
    """256-entry codebook, Euclidean nearest neighbour, commitment loss, EMA codebook updates and
    dead-code restarts (entries whose EMA usage falls below `dead_threshold` are moved onto random
    encoder outputs of the current batch)."""

    def __init__(self, dim, size=CODEBOOK_SIZE, decay=0.99, eps=1e-5, dead_threshold=0.5):
        super().__init__()
        self.dim, self.size, self.decay, self.eps, self.dead_threshold = dim, size, decay, eps, dead_threshold
        self.register_buffer("codebook", torch.randn(size, dim) * 0.1)
        self.register_buffer("ema_count", torch.ones(size))
        self.register_buffer("ema_sum", self.codebook.clone())
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    def distances(self, h):
        """(B, size, H, W) squared Euclidean distances; the same formula the exported encoder uses."""
        e = self.codebook
        hh = (h * h).sum(1, keepdim=True)
        he = F.conv2d(h, e[:, :, None, None])
        ee = (e * e).sum(1)[None, :, None, None]
        return hh - 2.0 * he + ee

    def indices(self, h):
        return self.distances(h).argmin(1)

    def lookup(self, idx):
        return self.codebook[idx].permute(0, 3, 1, 2)

    def forward(self, h):
        flat = h.permute(0, 2, 3, 1).reshape(-1, self.dim)
        if self.training and not bool(self.initialised):
            pick = torch.randperm(flat.shape[0], device=flat.device)[: self.size]
            n = pick.shape[0]
            self.codebook[:n] = flat[pick].detach()
            self.ema_sum.copy_(self.codebook)
            self.initialised.fill_(True)
        idx = self.indices(h)
        q = self.lookup(idx)
        if self.training:
            self._ema_update(flat.detach(), idx.reshape(-1))
        commit = F.mse_loss(h, q.detach())
        q_st = h + (q - h).detach()
        return q_st, idx, commit

    @torch.no_grad()
    def _ema_update(self, flat, idx):
        onehot = F.one_hot(idx, self.size).type(flat.dtype)
        count = onehot.sum(0)
        total = onehot.t() @ flat
        self.ema_count.mul_(self.decay).add_(count, alpha=1 - self.decay)
        self.ema_sum.mul_(self.decay).add_(total, alpha=1 - self.decay)
        n = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (n + self.size * self.eps) * n
        self.codebook.copy_(self.ema_sum / smoothed[:, None])
        dead = self.ema_count < self.dead_threshold
        nd = int(dead.sum())
        if nd:
            pick = torch.randint(0, flat.shape[0], (nd,), device=flat.device)
            self.codebook[dead] = flat[pick] + 0.01 * torch.randn_like(flat[pick])
            self.ema_sum[dead] = self.codebook[dead]
            self.ema_count[dead] = 1.0


def timestep_embedding(t, dim):
    """Sinusoidal embedding of t in [0,1] (scaled by 1000 like DDPM timesteps)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.reshape(-1, 1) * 1000.0 * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], 1)


class Denoiser(nn.Module):
    """Flow-matching velocity model in latent space, a small two-level U-Net.

    Inputs: x (the current sample), t in [0,1] (0 = noise, 1 = data), cond = z^, text = a text
    embedding of `text_dim` (all zeros today: the slot exists so a text-conditioned model can be
    dropped in without changing the graph interface; zeros are what it is trained with)."""

    def __init__(self, latent_ch=4, ch=32, text_dim=64, emb_dim=64):
        super().__init__()
        self.emb_dim = emb_dim
        self.time_mlp = nn.Sequential(nn.Linear(emb_dim, ch * 2), nn.SiLU(), nn.Linear(ch * 2, ch * 2))
        self.text_proj = nn.Linear(text_dim, ch * 2)
        e = ch * 2
        self.inp = nn.Conv2d(latent_ch * 2, ch, 3, padding=1)
        self.r1 = ResBlock(ch, e)
        self.down = down(ch, ch * 2)
        self.r2 = ResBlock(ch * 2, e)
        self.r3 = ResBlock(ch * 2, e)
        self.up = Up(ch * 2, ch)
        self.merge = nn.Conv2d(ch * 2, ch, 1)
        self.r4 = ResBlock(ch, e)
        self.out = nn.Conv2d(ch, latent_ch, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x, t, cond, text):
        emb = self.time_mlp(timestep_embedding(t, self.emb_dim)) + self.text_proj(text)
        a = self.r1(self.inp(torch.cat([x, cond], 1)), emb)
        b = self.r3(self.r2(self.down(a), emb), emb)
        y = self.merge(torch.cat([a, self.up(b)], 1))
        return self.out(F.silu(self.r4(y, emb)))


def irwin_hall_noise(shape, generator=None, device=None):
    """Approximately standard Gaussian noise as the sum of 12 uniforms minus 6: the distribution the
    TypeScript decoder draws from its integer PRNG (exact arithmetic, identical on every machine)."""
    u = torch.rand((12,) + tuple(shape), generator=generator, device=device)
    return u.sum(0) - 6.0


def sample_schedule(steps):
    """Euler steps t_k = k/steps, k = 0..steps-1, each of length 1/steps."""
    return [(k / steps, 1.0 / steps) for k in range(steps)]


class KeyframeCodecModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.grid = cfg["grid"]
        self.ae = AutoEncoder(tuple(cfg["ae_ch"]), cfg["latent_ch"])
        self.post = PostEncoder(cfg["latent_ch"], cfg["post_ch"], cfg["vq_dim"], self.grid)
        self.vq = VectorQuantizer(cfg["vq_dim"])
        self.upsampler = Upsampler(cfg["latent_ch"], cfg["post_ch"], cfg["vq_dim"], self.grid)
        self.denoiser = Denoiser(cfg["latent_ch"], cfg["den_ch"], cfg["text_dim"])
        self.register_buffer("latent_scale", torch.ones(()))

    def tokens(self, rgb):
        return self.vq.indices(self.post(self.ae.encode(rgb)))

    def zhat_scaled(self, idx):
        return self.upsampler(self.vq.lookup(idx)) * self.latent_scale

    def decode_scaled(self, z):
        return self.ae.decode(z / self.latent_scale)

    @torch.no_grad()
    def sample(self, zhat, steps, noise, text=None):
        if text is None:
            text = torch.zeros(zhat.shape[0], self.cfg["text_dim"], device=zhat.device)
        x = noise
        for t, dt in sample_schedule(steps):
            tt = torch.full((zhat.shape[0],), t, device=zhat.device)
            x = x + dt * self.denoiser(x, tt, zhat, text)
        return x


CONFIGS = {
    # Minutes on one CPU thread: proves the chain, not the quality.
    "tiny": {"ae_ch": [8, 16, 24], "latent_ch": 4, "post_ch": 24, "vq_dim": 16, "den_ch": 16, "text_dim": 64},
    # The shipped CPU-trained configuration: ~1.6 M parameters, trainable on a 2-core CPU in about an hour.
    "small": {"ae_ch": [16, 32, 64], "latent_ch": 4, "post_ch": 64, "vq_dim": 16, "den_ch": 48, "text_dim": 64},
    # The GPU configuration (see docs/learned-codec.md): every ONNX file stays well under 16 MiB.
    "full": {"ae_ch": [64, 128, 192], "latent_ch": 4, "post_ch": 192, "vq_dim": 32, "den_ch": 128, "text_dim": 64},
}


def load_file(path, map_location="cpu"):
    """torch.load of our own checkpoints. They hold numpy RNG state and plain Python values, which
    torch >= 2.6 refuses by default (weights_only=True); the files are produced by train.py only."""
    import inspect
    if "weights_only" in inspect.signature(torch.load).parameters:
        return torch.load(path, map_location=map_location, weights_only=False)
    return torch.load(path, map_location=map_location)


def make_config(size, grid):
    if grid not in GRIDS:
        raise ValueError(f"grid {grid} not in {sorted(GRIDS)}")
    cfg = dict(CONFIGS[size])
    cfg["grid"] = grid
    cfg["size"] = size
    return cfg
