"""Fast checks of the training code (CPU, a few seconds):  cd training && /usr/bin/python3 -m unittest -v"""
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from export import compact_initializers, exact_int8_rows, export_one, graphs, int8_rows
from models import KeyframeCodecModel, VectorQuantizer, irwin_hall_noise, make_config

torch.set_num_threads(1)


class VectorQuantizerTest(unittest.TestCase):
    def test_indices_are_euclidean_nearest_neighbours(self):
        vq = VectorQuantizer(dim=5)
        vq.codebook.copy_(torch.randn(256, 5))
        h = torch.randn(2, 5, 3, 4)
        flat = h.permute(0, 2, 3, 1).reshape(-1, 5)
        brute = torch.cdist(flat, vq.codebook).argmin(1).reshape(2, 3, 4)
        self.assertTrue(torch.equal(vq.indices(h), brute))

    def test_straight_through_output_and_dead_code_restart(self):
        torch.manual_seed(0)
        vq = VectorQuantizer(dim=4, decay=0.5)
        vq.train()
        h = torch.randn(1, 4, 8, 8, requires_grad=True)
        q, idx, commit = vq(h)
        self.assertTrue(torch.allclose(q, vq.lookup(idx), atol=1e-6))
        self.assertGreaterEqual(commit.item(), 0.0)
        q.sum().backward()
        self.assertTrue(torch.allclose(h.grad, torch.ones_like(h)))
        # Codes never chosen decay below the threshold and are moved onto encoder outputs.
        far = torch.full((1, 4, 8, 8), 100.0)
        for _ in range(3):
            vq(far)
        self.assertLess((vq.codebook - 100.0).abs().min().item(), 1.0)


class NoiseTest(unittest.TestCase):
    def test_irwin_hall_moments(self):
        x = irwin_hall_noise((200_000,), generator=torch.Generator().manual_seed(1))
        self.assertLess(abs(x.mean().item()), 0.01)
        self.assertLess(abs(x.var().item() - 1.0), 0.01)
        self.assertLessEqual(x.abs().max().item(), 6.0)


class ShapeTest(unittest.TestCase):
    def test_grids(self):
        for grid, (rows, cols) in (("coarse", (20, 32)), ("fine", (40, 64))):
            m = KeyframeCodecModel(make_config("tiny", grid)).eval()
            with torch.no_grad():
                t = m.tokens(torch.rand(1, 3, 320, 512))
                self.assertEqual(tuple(t.shape), (1, rows, cols))
                z = m.zhat_scaled(t)
                self.assertEqual(tuple(z.shape), (1, 4, 40, 64))
                noise = irwin_hall_noise(z.shape, generator=torch.Generator().manual_seed(0))
                self.assertEqual(tuple(m.decode_scaled(m.sample(z, 2, noise)).shape), (1, 3, 320, 512))


class FrozenAutoencoderTest(unittest.TestCase):
    def test_fine_grid_stage1_trains_the_token_path_only(self):
        from train import stage1_loss, stage1_params
        torch.manual_seed(0)
        m = KeyframeCodecModel(make_config("tiny", "fine")).train()
        for p in m.ae.parameters():
            p.requires_grad_(False)
        params = stage1_params(m, frozen_ae=True)
        self.assertEqual({id(p) for p in params}, {id(p) for mod in (m.post, m.upsampler) for p in mod.parameters()})
        ae_before = [p.clone() for p in m.ae.parameters()]
        post_before = [p.clone() for p in m.post.parameters()]
        opt = torch.optim.AdamW(params, lr=1e-2)
        loss, _ = stage1_loss(m, torch.rand(2, 3, 64, 64), frozen_ae=True)
        loss.backward()
        opt.step()
        self.assertTrue(all(torch.equal(a, b) for a, b in zip(ae_before, m.ae.parameters())))
        self.assertFalse(all(torch.equal(a, b) for a, b in zip(post_before, m.post.parameters())))
        self.assertTrue(all(p.grad is not None for p in m.upsampler.parameters()))


class ExportTest(unittest.TestCase):
    def test_int8_rounding_is_exactly_representable(self):
        w = torch.randn(8, 4, 3, 3) * torch.logspace(-3, 1, 8)[:, None, None, None]
        q = int8_rows(w)
        got = exact_int8_rows(q.numpy())
        self.assertIsNotNone(got)
        ints, scale = got
        self.assertTrue(np.array_equal(ints.astype(np.float32) * scale[:, None, None, None], q.numpy()))
        self.assertLess((q - w).abs().max().item(), (w.abs().amax((1, 2, 3)) / 127).max().item() * 1.01)
        self.assertIsNone(exact_int8_rows(w.numpy()))

    def test_compact_storage_keeps_values_and_graphs_export(self):
        m = KeyframeCodecModel(make_config("tiny", "coarse")).eval()
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(int8_rows(p) if p.dim() >= 2 else p.half().float())
        with tempfile.TemporaryDirectory() as d:
            for slot, module, example, ins, outs in graphs(m, [1] * 256):
                path = os.path.join(d, slot + ".onnx")
                export_one(module, example, ins, outs, path, "int8")
                model = onnx.load(path)
                onnx.checker.check_model(model)
                self.assertEqual([i.name for i in model.graph.input], [s[0] for s in ins])
            ops = {n.op_type for n in onnx.load(os.path.join(d, "kf-decoder-coarse.onnx")).graph.node}
            self.assertIn("DequantizeLinear", ops)
            self.assertIn("Cast", ops)
            # A second pass finds nothing left to convert: every value it stored is already compact.
            path = os.path.join(d, "kf-decoder-coarse.onnx")
            before = sorted(i.name for i in onnx.load(path).graph.initializer)
            compact_initializers(path, "int8")
            self.assertEqual(sorted(i.name for i in onnx.load(path).graph.initializer), before)


if __name__ == "__main__":
    unittest.main()
