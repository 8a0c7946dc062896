"""Parity of every exported graph against PyTorch.

Runs each graph of an export folder (export.py) on small probe inputs (a real picture crop for the
encoder, seeded random tensors for the rest) in PyTorch, and
  - with Python onnxruntime installed (the GPU machine has it): runs the .onnx files too and prints
    the max abs error per graph;
  - always: writes <out>/parity.json (inputs and PyTorch outputs, float32/int64/int32 as base64) so the
    Node test test/integration/learned/learned-codec.test.ts can run the same check with
    onnxruntime-node (Debian has no python3-onnxruntime).

    /usr/bin/python3 training/parity.py --ckpt .pack/ckpt/tiny-coarse.pt --dir .pack/export
"""
import argparse
import base64
import json
import os

import numpy as np
import torch

from data import PackSampler
from export import REPO, graphs, load_model
from models import CODEBOOK_SIZE, GRIDS, LATENT_STRIDE

DTYPES = {np.dtype("float32"): "float32", np.dtype("int64"): "int64", np.dtype("int32"): "int32"}


def encode_array(a):
    a = np.ascontiguousarray(a)
    return {"dtype": DTYPES[a.dtype], "dims": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}


def probes(model, pack):
    """Probe inputs per slot: 32x48 pixels (2x3 coarse tokens, 4x6 fine)."""
    s = GRIDS[model.grid]
    h, w = 32, 48
    gen = torch.Generator().manual_seed(7)
    sampler = PackSampler(pack, (256, 160), seed=0)
    rgb = sampler.validation()[:1, :, 64:64 + h, 96:96 + w].contiguous()
    lat = (1, model.cfg["latent_ch"], h // LATENT_STRIDE, w // LATENT_STRIDE)
    g = model.grid
    return {
        f"kf-encoder-{g}": {"rgb": rgb},
        f"kf-tokens-{g}": {"tokens": torch.randint(0, CODEBOOK_SIZE, (1, h // s, w // s), generator=gen)},
        f"kf-denoiser-{g}": {"x": torch.randn(lat, generator=gen), "cond": torch.randn(lat, generator=gen),
                             "t": torch.tensor([0.375]), "dt": torch.tensor([0.25]),
                             "text": 0.1 * torch.randn(1, model.cfg["text_dim"], generator=gen)},
        f"kf-decoder-{g}": {"latent": torch.randn(lat, generator=gen)},
        f"kf-token-prior-{g}": {"symbol": torch.arange(CODEBOOK_SIZE)},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--dir", required=True, help="export folder holding the .onnx files")
    ap.add_argument("--pack", default=os.path.join(REPO, ".pack", "train.npz"))
    ap.add_argument("--weights", choices=["float16", "int8"], default="float16", help="as given to export.py")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, _ = load_model(a.ckpt, a.weights)
    prior = json.load(open(os.path.join(a.dir, f"token-prior-{model.grid}.json")))["counts"]
    inputs = probes(model, a.pack)
    try:
        import onnxruntime as ort
    except ImportError:
        ort = None
    report = {}
    with torch.no_grad():
        for slot, module, _, ins, outs in graphs(model, prior):
            feeds = inputs[slot]
            ref = module(*[feeds[n] for n, _, _ in ins]).numpy()
            entry = {"inputs": {n: encode_array(feeds[n].numpy()) for n, _, _ in ins},
                     "outputs": {outs[0][0]: encode_array(ref)}}
            if ort is not None:
                sess = ort.InferenceSession(os.path.join(a.dir, slot + ".onnx"), providers=["CPUExecutionProvider"])
                got = sess.run(None, {n: feeds[n].numpy() for n, _, _ in ins})[0]
                entry["ort_python_max_abs_error"] = float(np.max(np.abs(got.astype(np.float64) - ref.astype(np.float64))))
                print(f"{slot}: max abs error {entry['ort_python_max_abs_error']:.3g}")
            report[slot] = entry
    path = os.path.join(a.dir, "parity.json")
    if os.path.exists(path):  # the other grid's slots, exported into the same folder, stay
        report = {**json.load(open(path))["slots"], **report}
    with open(path + ".tmp", "w") as f:
        json.dump({"note": "inputs and PyTorch outputs of each exported graph (training/parity.py)", "slots": report}, f)
    os.replace(path + ".tmp", path)
    if ort is None:
        print("python onnxruntime not installed: parity.json written for the onnxruntime-node test")


if __name__ == "__main__":
    main()
