#!/usr/bin/python3
"""Writes the tiny ONNX models that prove the inference plumbing (test/fixtures/models/).

Deterministic: seeded weights, fixed opset/IR version and producer, so rerunning the script
reproduces the committed bytes exactly (the manifest's sha256 values depend on it).
Needs only Debian's python3-onnx and python3-numpy; no torch.

    /usr/bin/python3 scripts/make-test-model.py [out_dir]
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8
SEED = 20261125

# The conv model's probe input; the TypeScript test rebuilds it from this same formula.
PROBE_H, PROBE_W = 5, 6


def probe_image() -> np.ndarray:
    x = np.zeros((1, 3, PROBE_H, PROBE_W), dtype=np.float32)
    for c in range(3):
        for y in range(PROBE_H):
            for xx in range(PROBE_W):
                x[0, c, y, xx] = ((c * 7 + y * 3 + xx * 5) % 11) / 10.0 - 0.5
    return x


def probe_vector() -> np.ndarray:
    return np.array([[0.5, -1.0, 0.25], [2.0, 0.0, -0.75]], dtype=np.float32)


def finish(graph: onnx.GraphProto) -> onnx.ModelProto:
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="m3c-make-test-model",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def conv_features(rng: np.random.RandomState):
    """1x3xHxW image -> 3x3 conv (4 channels, pad 1) -> relu -> global average pool -> 1x4."""
    w = rng.uniform(-0.5, 0.5, size=(4, 3, 3, 3)).astype(np.float32)
    b = rng.uniform(-0.1, 0.1, size=(4,)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["image", "conv_w", "conv_b"], ["conv"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["act"]),
        helper.make_node("GlobalAveragePool", ["act"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["features"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "conv_features",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 4])],
        initializer=[numpy_helper.from_array(w, "conv_w"), numpy_helper.from_array(b, "conv_b")],
    )
    x = probe_image()
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((4, PROBE_H, PROBE_W), dtype=np.float64)
    for o in range(4):
        for y in range(PROBE_H):
            for xx in range(PROBE_W):
                conv[o, y, xx] = np.sum(xp[0, :, y : y + 3, xx : xx + 3] * w[o]) + b[o]
    expected = np.maximum(conv, 0).mean(axis=(1, 2)).reshape(1, 4)
    return finish(graph), {"conv_w": w, "conv_b": b}, expected


def dense_tanh(rng: np.random.RandomState):
    """2x3 -> Gemm with a 3x2 weight and bias -> tanh -> 2x2."""
    w = rng.uniform(-1.0, 1.0, size=(3, 2)).astype(np.float32)
    b = rng.uniform(-0.2, 0.2, size=(2,)).astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "dense_w", "dense_b"], ["pre"]),
        helper.make_node("Tanh", ["pre"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "dense_tanh",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
        initializer=[numpy_helper.from_array(w, "dense_w"), numpy_helper.from_array(b, "dense_b")],
    )
    expected = np.tanh(probe_vector().astype(np.float64) @ w + b)
    return finish(graph), {"dense_w": w, "dense_b": b}, expected


def tensor_spec(value_info: onnx.ValueInfoProto) -> dict:
    dims = [d.dim_param if d.dim_param else d.dim_value for d in value_info.type.tensor_type.shape.dim]
    assert value_info.type.tensor_type.elem_type == TensorProto.FLOAT
    return {"name": value_info.name, "dtype": "float32", "shape": dims}


def main() -> None:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "models")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.RandomState(SEED)
    built = [
        ("test-embedder", "conv-features.onnx", *conv_features(rng)),
        ("test-dense", "dense-tanh.onnx", *dense_tanh(rng)),
    ]
    entries = []
    reference = {"probe": {"imageShape": [1, 3, PROBE_H, PROBE_W], "vector": probe_vector().tolist()}, "models": {}}
    for slot, file_name, model, weights, expected in built:
        data = model.SerializeToString()
        with open(os.path.join(out_dir, file_name), "wb") as f:
            f.write(data)
        entries.append(
            {
                "slot": slot,
                "file": file_name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "inputs": [tensor_spec(v) for v in model.graph.input],
                "outputs": [tensor_spec(v) for v in model.graph.output],
                "provenance": {
                    "producer": "scripts/make-test-model.py",
                    "seed": SEED,
                    "opset": OPSET,
                    "trainedOn": "nothing: fixed random weights for tests",
                },
            }
        )
        reference["models"][slot] = {
            "weights": {name: {"shape": list(a.shape), "data": a.reshape(-1).tolist()} for name, a in weights.items()},
            "expected": {"shape": list(expected.shape), "data": expected.reshape(-1).tolist()},
        }
    manifest = {"schema": 1, "packId": "m3c-test-pack-1", "models": entries}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
