"""Unit tests of the guide-restoration model and its data builder: cd training && python3 -m unittest test_restore"""
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import restore as R
import restore_data as D

torch.set_num_threads(1)


class ModelTest(unittest.TestCase):
    def test_shapes_and_budget(self):
        m = R.GuideRestore()
        for h, w in ((320, 512), (80, 128), (40, 64), (328, 200)):
            y = m(torch.rand(1, 3, h, w))
            self.assertEqual(tuple(y.shape), (1, 3, h, w))
        self.assertLessEqual(R.count_params(m), 300_000)
        self.assertLessEqual(R.macs(m), 1.5e9)

    def test_zero_init_is_identity(self):
        m = R.GuideRestore()
        x = torch.rand(2, 3, 80, 128)
        self.assertTrue(torch.equal(m(x), x))

    def test_output_clamped(self):
        m = R.GuideRestore()
        torch.nn.init.normal_(m.tail.weight, std=1.0)
        y = m(torch.rand(1, 3, 40, 64))
        self.assertGreaterEqual(float(y.min()), 0.0)
        self.assertLessEqual(float(y.max()), 1.0)

    def test_base_is_torch_bicubic(self):
        g = (np.random.default_rng(0).random((40, 64, 3)) * 255).astype(np.uint8)
        b = R.base_from_guide(g)
        ref = F.interpolate(torch.from_numpy(g).permute(2, 0, 1)[None].float() / 255, size=(320, 512), mode="bicubic", align_corners=False).clamp(0, 1)
        self.assertEqual(tuple(b.shape), (1, 3, 320, 512))
        self.assertTrue(torch.equal(b, ref))

    def test_metrics(self):
        x = torch.rand(2, 3, 32, 32)
        self.assertTrue(torch.all(R.psnr_y(x, x) > 90))
        self.assertAlmostEqual(float(R.hf_energy(x)[0] / R.hf_energy(x)[0]), 1.0)
        self.assertLess(float(R.fft_amp_loss(x, x)), 1e-6)


class DataTest(unittest.TestCase):
    def test_kept_frames(self):
        self.assertEqual(D.kept_frames(9, 8), list(range(9)))
        self.assertEqual(D.kept_frames(9, 4), [0, 2, 4, 6, 8])
        self.assertEqual(D.kept_frames(9, 2), [0, 4, 8])

    @unittest.skipUnless(shutil.which("ffmpeg"), "ffmpeg")
    def test_tiny_builder_round_trip(self):
        rng = np.random.default_rng(0)
        a = (rng.random((20, 30, 3)) * 255).astype(np.uint8)
        img = Image.fromarray(a).resize((700, 500), Image.BICUBIC)
        frames = D.synth_sequence(img, rng, 5, layer=img)
        self.assertEqual(frames.shape, (5, 320, 512, 3))
        self.assertLess(float((frames.reshape(-1, 3) == 0).all(1).mean()), 0.01)  # no black borders
        for size, fps in (((64, 40), 4), ((96, 60), 2)):  # libaom and SVT-AV1 paths
            kept, dec, nbytes = D.code_guide(frames, size, fps, 50)
            self.assertEqual(kept, D.kept_frames(5, fps))
            self.assertEqual(dec.shape, (len(kept), size[1], size[0], 3))
            self.assertGreater(nbytes, 0)
        st = D.Store()
        st.add(dec[0], frames[kept[0]], src="x", size=[96, 60], fps=2, q=50, k=0, bytes=nbytes)
        st.add(dec[1], frames[kept[1]], src="x", size=[96, 60], fps=2, q=50, k=1, bytes=nbytes)
        d = tempfile.mkdtemp()
        try:
            st.save(os.path.join(d, "s.npz"))
            guides, targets, meta = D.load_store(os.path.join(d, "s.npz"))
            ps = R.PairSet(os.path.join(d, "s.npz"), log=lambda s: None)
        finally:
            shutil.rmtree(d)
        self.assertTrue(np.array_equal(guides[1], dec[1]))
        self.assertTrue(np.array_equal(targets[0], frames[kept[0]]))
        self.assertEqual(meta[1]["k"], 1)
        b, t = ps.batch(np.random.default_rng(1), 3, 64)
        self.assertEqual(tuple(b.shape), (3, 3, 64, 64))
        self.assertEqual(tuple(t.shape), (3, 3, 64, 64))
        # the coded guide is close to the target: base PSNR-Y well above noise level
        self.assertGreater(float(R.psnr_y(ps.base[:1].float(), R.to_chw(targets[:1]))[0]), 12)


if __name__ == "__main__":
    unittest.main()
