"""Exports a trained checkpoint to ONNX graphs + manifest.json (schema 1, docs/models.md).

Slots, for grid g in {coarse, fine} (batch 1; H, W multiples of the grid stride):
    kf-encoder-<g>      rgb float32 [1,3,height,width] in [0,1]  -> tokens int64 [1,rows,cols]
                        (post-encoder distances to the 256 codewords and the ArgMin inside the graph)
    kf-tokens-<g>       tokens int64 [1,rows,cols] -> zhat float32 [1,4,lrows,lcols]   (scaled latent)
    kf-denoiser-<g>     x, cond float32 [1,4,lrows,lcols], t, dt float32 [1], text float32 [1,64]
                        -> x_next = x + dt * v_theta(x, t, cond, text)   (one Euler step of the flow)
    kf-decoder-<g>      latent float32 [1,4,lrows,lcols] -> rgb float32 [1,3,height,width] in [0,1]
    kf-token-prior-<g>  symbol int64 [n] -> count int32 [n]: the learned integer prior of the token-map
                        entropy coder, a lookup table, so that it is hashed into the pack like the weights

Weights are stored as float16 initializers followed by a Cast to float32 (half the bytes), or with
--weights int8 as int8 + per-row power-of-two scales (DequantizeLinear); the PyTorch weights are rounded
the same way first, so PyTorch and ONNX Runtime compute with the same values and parity.py compares
like with like. Every file must stay <= 16 MiB, the pack <= 40 MB.

    /usr/bin/python3 training/export.py --ckpt .pack/ckpt/tiny-coarse.pt --out .pack/export --pack-id m3c-...
"""
import argparse
import hashlib
import inspect
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from data import PackSampler
from models import CODEBOOK_SIZE, GRIDS, LATENT_STRIDE, KeyframeCodecModel, load_file

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 17
MAX_FILE = 16 * 1024 * 1024
MAX_PACK = 40 * 1000 * 1000
# Sum of the learned prior: large enough that the learned shape dominates the first few adaptive
# updates (+4 each in src/shared/entropy/token-map.ts), small enough that the coder still adapts.
PRIOR_TOTAL = 8192


class EncoderGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, rgb):
        return self.m.tokens(rgb)


class TokensGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, tokens):
        return self.m.zhat_scaled(tokens)


class DenoiserStepGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x, cond, t, dt, text):
        return x + dt.reshape(1, 1, 1, 1) * self.m.denoiser(x, t, cond, text)


class DecoderGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, latent):
        return self.m.decode_scaled(latent).clamp(0.0, 1.0)


class PriorGraph(torch.nn.Module):
    def __init__(self, counts):
        super().__init__()
        self.register_buffer("counts", torch.tensor(counts, dtype=torch.int32))

    def forward(self, symbol):
        return self.counts[symbol]


WEIGHT_PARTS = ("ae", "post", "vq", "upsampler", "denoiser")


def save_weights(ckpt, out):
    """Weights only, float16, one file per module (each <= 16 MiB for the full config), so they can
    travel back from the GPU machine; load_model reads the folder like a checkpoint."""
    state = load_file(ckpt)
    os.makedirs(out, exist_ok=True)
    for part in WEIGHT_PARTS:
        sub = {k[len(part) + 1:]: (v.half() if v.is_floating_point() and part != "vq" else v)
               for k, v in state["model"].items() if k.startswith(part + ".")}
        torch.save(sub, os.path.join(out, part + ".pt"))
    meta = {k: state[k] for k in ("cfg", "stage_steps", "log")}
    meta["latent_scale"] = float(state["model"]["latent_scale"])
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)


def read_checkpoint(path):
    if not os.path.isdir(path):
        return load_file(path)
    meta = json.load(open(os.path.join(path, "meta.json")))
    weights = {"latent_scale": torch.tensor(meta["latent_scale"])}
    for part in WEIGHT_PARTS:
        for k, v in load_file(os.path.join(path, part + ".pt")).items():
            weights[f"{part}.{k}"] = v.float() if v.is_floating_point() else v
    return {**meta, "model": weights}


def int8_rows(w):
    """Per-row (axis 0) int8 with power-of-two scales: w/scale and q*scale are then exact in float32,
    so PyTorch's rounded weights and ONNX's DequantizeLinear output are the same numbers."""
    rows = w.reshape(w.shape[0], -1)
    peak = rows.abs().amax(1).clamp_min(1e-30)
    scale = torch.pow(2.0, torch.ceil(torch.log2(peak / 127.0)))
    return (torch.round(rows / scale[:, None]).clamp(-127, 127) * scale[:, None]).reshape(w.shape)


def load_model(ckpt, weights="float16"):
    """ckpt: a training checkpoint (.pt) or a weights folder written by --weights-out. The weights are
    rounded to what the exported initializers will hold (`weights`: float16, or int8 for matrices and
    convolution kernels with float16 biases)."""
    state = read_checkpoint(ckpt)
    model = KeyframeCodecModel(state["cfg"])
    model.load_state_dict(state["model"])
    model.eval()
    with torch.no_grad():
        for t in list(model.parameters()) + [model.vq.codebook]:
            t.copy_(int8_rows(t) if weights == "int8" and t.dim() >= 2 and t is not model.vq.codebook else t.half().float())
    return model, state


def graphs(model, counts):
    """(slot suffix, module, example inputs, input specs, output specs); dims named as in the manifest."""
    g = model.grid
    s = GRIDS[g]
    lat = model.cfg["latent_ch"]
    # Pictures are padded to multiples of 16 on every grid: the denoiser's U-Net halves the 1/8 latent once.
    m = max(s, 2 * LATENT_STRIDE)
    h, w = 2 * m, 3 * m
    lr_, lc = h // LATENT_STRIDE, w // LATENT_STRIDE
    rgb = torch.rand(1, 3, h, w)
    tokens = torch.randint(0, CODEBOOK_SIZE, (1, h // s, w // s))
    x = torch.randn(1, lat, lr_, lc)
    img = ["1", "3", "height", "width"]
    tok = ["1", "rows", "cols"]
    latent = ["1", str(lat), "lrows", "lcols"]
    return [
        (f"kf-encoder-{g}", EncoderGraph(model), (rgb,), [("rgb", "float32", img)], [("tokens", "int64", tok)]),
        (f"kf-tokens-{g}", TokensGraph(model), (tokens,), [("tokens", "int64", tok)], [("zhat", "float32", latent)]),
        (f"kf-denoiser-{g}", DenoiserStepGraph(model),
         (x, x.clone(), torch.tensor([0.25]), torch.tensor([0.25]), torch.zeros(1, model.cfg["text_dim"])),
         [("x", "float32", latent), ("cond", "float32", latent), ("t", "float32", ["1"]), ("dt", "float32", ["1"]),
          ("text", "float32", ["1", str(model.cfg["text_dim"])])],
         [("x_next", "float32", latent)]),
        (f"kf-decoder-{g}", DecoderGraph(model), (x,), [("latent", "float32", latent)], [("rgb", "float32", img)]),
        (f"kf-token-prior-{g}", PriorGraph(counts), (torch.arange(CODEBOOK_SIZE),), [("symbol", "int64", ["n"])],
         [("count", "int32", ["n"])]),
    ]


def spec_json(specs):
    return [{"name": n, "dtype": d, "shape": [int(v) if v.isdigit() else v for v in shape]} for n, d, shape in specs]


def exact_int8_rows(arr):
    """(int8 values, per-row scales) when arr is exactly int8 * power-of-two row scale, else None."""
    if arr.ndim < 2:
        return None
    rows = arr.reshape(arr.shape[0], -1).astype(np.float32)
    peak = np.maximum(np.abs(rows).max(1), np.float32(1e-30))
    scale = np.exp2(np.ceil(np.log2(peak / np.float32(127.0)))).astype(np.float32)
    q = np.round(rows / scale[:, None])
    if np.abs(q).max() > 127 or not np.array_equal((q * scale[:, None]).astype(np.float32), rows):
        return None
    return q.astype(np.int8).reshape(arr.shape), scale


def compact_initializers(path, weights="float16"):
    """Stores float32 initializers in fewer bytes where that changes no value: int8 + per-row scale
    (DequantizeLinear, axis 0) when `weights` is int8 and the tensor is exactly representable so,
    else float16 + Cast when exactly representable, else unchanged (e.g. folded constants such as
    squared codeword norms)."""
    m = onnx.load(path)
    pre, kept = [], []
    for init in m.graph.initializer:
        arr = numpy_helper.to_array(init)
        name = init.name
        q8 = exact_int8_rows(arr) if weights == "int8" and init.data_type == TensorProto.FLOAT and arr.size >= 64 else None
        if q8 is not None:
            q, scale = q8
            kept += [numpy_helper.from_array(q, name + "__q"), numpy_helper.from_array(scale, name + "__scale"),
                     numpy_helper.from_array(np.zeros(scale.shape, np.int8), name + "__zero")]
            pre.append(helper.make_node("DequantizeLinear", [name + "__q", name + "__scale", name + "__zero"], [name],
                                        axis=0, name=name + "__dequantize"))
        elif init.data_type == TensorProto.FLOAT and arr.size >= 16 and not name.endswith("__scale") and np.array_equal(arr.astype(np.float16).astype(np.float32), arr):
            kept.append(numpy_helper.from_array(arr.astype(np.float16), name + "__f16"))
            pre.append(helper.make_node("Cast", [name + "__f16"], [name], to=TensorProto.FLOAT, name=name + "__cast"))
        else:
            kept.append(init)
    del m.graph.initializer[:]
    m.graph.initializer.extend(kept)
    nodes = pre + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def export_one(module, example, in_specs, out_specs, path, weights="float16"):
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: same graphs from torch 1.13 and 2.x
    dyn = {}
    for n, _, shape in in_specs + out_specs:
        named = {i: v for i, v in enumerate(shape) if not v.isdigit()}
        if named:
            dyn[n] = named
    torch.onnx.export(module, example, path, input_names=[s[0] for s in in_specs], output_names=[s[0] for s in out_specs],
                      dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True, **kwargs)
    compact_initializers(path, weights)


@torch.no_grad()
def token_prior(model, pack, crop, limit):
    """Integer counts of the tokens the entropy coder codes with its symbol model: those equal to
    neither the left nor the upper neighbour. Add-one smoothed and scaled to PRIOR_TOTAL."""
    sampler = PackSampler(pack, crop, seed=0, holdout=0)
    counts = np.zeros(CODEBOOK_SIZE, np.int64)
    seen = 0
    for arr in sampler.train:
        for i in range(0, min(len(arr), limit), 8):
            x = torch.from_numpy(np.ascontiguousarray(arr[i:i + 8])).permute(0, 3, 1, 2).float() / 255
            t = model.tokens(x).numpy()
            left = np.full_like(t, -1)
            left[:, :, 1:] = t[:, :, :-1]
            above = np.full_like(t, -1)
            above[:, 1:, :] = t[:, :-1, :]
            new = (t != left) & (t != above)
            counts += np.bincount(t[new], minlength=CODEBOOK_SIZE)
            seen += t.size
    smoothed = counts + 1
    prior = np.maximum(1, np.round(smoothed * PRIOR_TOTAL / smoothed.sum())).astype(np.int64)
    return prior.tolist(), {"tokens_seen": int(seen), "new_tokens": int(counts.sum()), "codes_used": int((counts > 0).sum())}


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True, help="training checkpoint .pt, or a weights folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights", choices=["float16", "int8"], default="float16",
                    help="storage of the exported weights (int8: per-row power-of-two scales, for the small test pack)")
    ap.add_argument("--weights-out", help="also write float16 weights, one file per module, into this folder")
    ap.add_argument("--pack", default=os.path.join(REPO, ".pack", "train.npz"))
    ap.add_argument("--pack-id", required=True)
    ap.add_argument("--prior-images", type=int, default=400, help="crops per pack array used for the token prior")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.weights_out:
        save_weights(a.ckpt, a.weights_out)
    model, state = load_model(a.ckpt, a.weights)
    os.makedirs(a.out, exist_ok=True)
    counts, prior_info = token_prior(model, a.pack, (256, 160), a.prior_images)
    with open(os.path.join(a.out, f"token-prior-{model.grid}.json"), "w") as f:
        json.dump({"grid": model.grid, "alphabet": CODEBOOK_SIZE, "total": PRIOR_TOTAL, "counts": counts, **prior_info}, f)
    provenance = {"producer": "training/export.py", "config": state["cfg"], "steps": state["stage_steps"],
                  "latent_scale": float(model.latent_scale), "train_log": state["log"], "opset": OPSET,
                  "torch": torch.__version__, "weights": a.weights}
    pack_json = os.path.splitext(a.pack)[0] + ".json"
    if os.path.exists(pack_json):
        provenance["training_pack"] = json.load(open(pack_json))
    models, total = [], 0
    for slot, module, example, ins, outs in graphs(model, counts):
        file = slot + ".onnx"
        path = os.path.join(a.out, file)
        export_one(module, example, ins, outs, path, a.weights)
        size = os.path.getsize(path)
        total += size
        if size > MAX_FILE:
            raise SystemExit(f"{file} is {size} bytes, over the 16 MiB limit")
        models.append({"slot": slot, "file": file, "sha256": sha256(path), "inputs": spec_json(ins),
                       "outputs": spec_json(outs), "provenance": provenance if slot.startswith("kf-encoder") else
                       {"producer": "training/export.py", "see": f"kf-encoder-{model.grid}"}})
        print(f"{file}: {size} bytes")
    # Exporting the other grid into the same folder under the same pack id adds its slots: one pack,
    # both grids. A different pack id starts the manifest afresh.
    manifest_path = os.path.join(a.out, "manifest.json")
    if os.path.exists(manifest_path):
        old = json.load(open(manifest_path))
        if old.get("packId") == a.pack_id:
            mine = {m["slot"] for m in models}
            kept = [m for m in old["models"] if m["slot"] not in mine]
            total += sum(os.path.getsize(os.path.join(a.out, m["file"])) for m in kept)
            models = kept + models
    if total > MAX_PACK:
        raise SystemExit(f"pack is {total} bytes, over the 40 MB limit")
    manifest = {"schema": 1, "packId": a.pack_id, "models": models}
    with open(manifest_path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(manifest_path + ".tmp", manifest_path)
    print(json.dumps({"total_bytes": total, **prior_info}))


if __name__ == "__main__":
    main()
