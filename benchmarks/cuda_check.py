"""Check the CUDA paths end to end and time them against the CPU.

Needs a CUDA GPU; prints one line per check and exits non-zero on a failure.

- training each SSL method on CUDA (fit time, SVM-probe accuracy on GunPoint);
- the embeddings of a CUDA-trained model equal those of the same model moved
  to the CPU by pickling it and unpickling it in a process without CUDA;
- every augmentation kernel runs on CUDA tensors with a CUDA generator, keeps
  the shape and padding, and repeats for a repeated seed;
- fine-tuning (``SSLClassifier``) and the spectrogram path on CUDA;
- mixed precision on CUDA: ``precision="bf16"`` and ``"16-mixed"`` (float16
  with a gradient scaler) train SimCLR to a finite model with an accuracy
  near the float32 one, and time against float32;
- an ``np.memmap`` input trains and embeds on CUDA like the same array in
  memory.

Run::

    python benchmarks/cuda_check.py [--npz datasets.npz]
"""

import argparse
import inspect
import os
import pickle
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

import sslts
from sslts import augmentations as augs
from sslts.evaluation import svm_probe

FAILURES = []


def check(name, ok, detail=""):
    """Print one check's outcome and remember failures."""
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}", flush=True)
    if not ok:
        FAILURES.append(name)


def load(name, split, npz):
    if npz is not None:
        data = np.load(npz)
        return data[f"{name}_{split}_X"], data[f"{name}_{split}_y"]
    from sslts.datasets import load_ucr_uea

    return load_ucr_uea(name, split=split)


def embed_on_cpu_elsewhere(model_path, X_path):
    """Unpickle ``model_path`` in a process that cannot see CUDA and embed."""
    code = (
        "import pickle, sys, warnings, numpy as np, torch\n"
        "assert not torch.cuda.is_available()\n"
        "warnings.simplefilter('ignore')\n"
        "model = pickle.load(open(sys.argv[1], 'rb'))\n"
        "np.save(sys.argv[3], model.transform(np.load(sys.argv[2])))\n"
    )
    out = X_path.replace(".npy", "_Z.npy")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", code, model_path, X_path, out], check=True, env=env)
    return np.load(out)


def check_training(npz, tmp):
    X_train, y_train = load("GunPoint", "train", npz)
    X_test, y_test = load("GunPoint", "test", npz)
    for name in ("SimCLRTransformer", "BarlowTwinsTransformer", "VICRegTransformer"):
        times = {}
        for device in ("cuda", "cpu"):
            model = getattr(sslts, name)(device=device, random_state=0)
            start = time.perf_counter()
            model.fit(X_train)
            times[device] = time.perf_counter() - start
            if device == "cuda":
                cuda_model = model
        Z_train, Z_test = cuda_model.transform(X_train), cuda_model.transform(X_test)
        accuracy = svm_probe(Z_train, y_train).score(Z_test, y_test)
        check(f"{name} trains on CUDA", np.isfinite(Z_test).all() and accuracy > 0.8,
              f"accuracy {accuracy:.3f}, fit {times['cuda']:.1f} s on CUDA vs "
              f"{times['cpu']:.1f} s on CPU ({torch.get_num_threads()} threads)")
        model_path, X_path = os.path.join(tmp, "model.pkl"), os.path.join(tmp, "X.npy")
        with open(model_path, "wb") as f:
            pickle.dump(cuda_model, f)
        np.save(X_path, X_test)
        Z_cpu = embed_on_cpu_elsewhere(model_path, X_path)
        gap = np.abs(Z_cpu - Z_test).max() / np.abs(Z_test).max()
        check(f"{name} CUDA-trained pickle embeds on a CPU-only process", gap < 1e-3,
              f"max relative difference {gap:.1e}")


def augmentation_instances():
    """One default instance of every exported augmentation that builds without arguments."""
    for name in augs.__all__:
        cls = getattr(augs, name)
        if not inspect.isclass(cls) or name in ("BaseAugmentation", "DeterministicAugmentation"):
            continue
        try:
            yield cls()
        except TypeError:  # needs arguments: compositions
            continue
    yield augs.Compose([augs.Jitter(), augs.TimeWarp()])
    yield augs.RandomApply(augs.Jitter())
    yield augs.RandomChoice([augs.Jitter(), augs.Shift()])


def check_augmentations():
    x = torch.randn(64, 3, 200, device="cuda")
    x[::2, :, 150:] = float("nan")
    images = torch.randn(16, 2, 32, 40, device="cuda")
    for aug in augmentation_instances():
        ndim = getattr(aug, "_input_ndim", 3)
        batch = images if ndim == 4 else x
        generator = torch.Generator(device="cuda").manual_seed(0)
        out = aug.augment(batch, generator)
        again = aug.augment(batch, torch.Generator(device="cuda").manual_seed(0))
        same_padding = torch.equal(torch.isnan(out), torch.isnan(batch))
        check(f"{type(aug).__name__} on CUDA",
              out.is_cuda and out.shape == batch.shape and same_padding
              and torch.equal(torch.nan_to_num(out), torch.nan_to_num(again)))


def check_finetuning(npz):
    if not hasattr(sslts, "SSLClassifier"):
        return
    X_train, y_train = load("GunPoint", "train", npz)
    X_test, y_test = load("GunPoint", "test", npz)
    start = time.perf_counter()
    clf = sslts.SSLClassifier(device="cuda", random_state=0).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = clf.score(X_test, y_test)
    check("SSLClassifier trains on CUDA", accuracy > 0.7,
          f"accuracy {accuracy:.3f} from scratch, fit {seconds:.1f} s")


def check_spectrogram():
    try:
        from sslts import Spectrogram
    except ImportError:
        return
    X = np.random.RandomState(0).randn(8, 3, 256).astype(np.float32)
    S_cuda = Spectrogram(device="cuda").fit_transform(X)
    S_cpu = Spectrogram(device="cpu").fit_transform(X)
    check("Spectrogram on CUDA equals CPU", np.allclose(S_cuda, S_cpu, atol=1e-3),
          f"max difference {np.abs(S_cuda - S_cpu).max():.1e}")
    model = sslts.SimCLRTransformer(device="cuda", max_epochs=3, random_state=0)
    Z = model.fit_transform(S_cuda)
    check("SimCLR on spectrograms on CUDA", np.isfinite(Z).all(), f"embeddings {Z.shape}")


def check_precision(npz):
    X_train, y_train = load("GunPoint", "train", npz)
    X_test, y_test = load("GunPoint", "test", npz)
    results = {}
    for precision in ("32", "bf16", "16-mixed"):
        model = sslts.SimCLRTransformer(device="cuda", precision=precision, random_state=0)
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        Z_train, Z_test = model.transform(X_train), model.transform(X_test)
        results[precision] = (seconds, svm_probe(Z_train, y_train).score(Z_test, y_test))
        finite = np.isfinite(Z_test).all() and np.isfinite(model.history_[:, "train_loss"]).all()
        check(f"SimCLR precision={precision!r} on CUDA",
              finite and results[precision][1] > results["32"][1] - 0.05,
              f"fit {seconds:.1f} s, accuracy {results[precision][1]:.3f}")


def check_memmap(tmp):
    X, _ = load("GunPoint", "train", None)
    path = os.path.join(tmp, "X.f32")
    disk = np.memmap(path, dtype=np.float32, mode="w+", shape=np.shape(X))
    disk[:] = X
    disk.flush()
    disk = np.memmap(path, dtype=np.float32, mode="r", shape=np.shape(X))
    params = dict(device="cuda", max_steps=20, random_state=0)
    Z_disk = sslts.SimCLRTransformer(**params).fit(disk).transform(disk)
    Z_memory = sslts.SimCLRTransformer(**params).fit(np.asarray(X, np.float32)).transform(X)
    gap = np.abs(Z_disk - Z_memory).max() / np.abs(Z_memory).max()
    check("np.memmap trains and embeds on CUDA like the array in memory", gap < 1e-4,
          f"max relative difference {gap:.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npz", default=None, help="datasets exported to one .npz file")
    parser.add_argument("--skip-training", action="store_true",
                        help="skip the SSL training and pickling checks")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("No CUDA device: nothing to check.")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, sslts {sslts.__version__}")
    if not args.skip_training:
        with tempfile.TemporaryDirectory() as tmp:
            check_training(args.npz, tmp)
    check_augmentations()
    check_finetuning(args.npz)
    check_spectrogram()
    check_precision(args.npz)
    with tempfile.TemporaryDirectory() as tmp:
        check_memmap(tmp)
    print(f"{len(FAILURES)} failed: {FAILURES}" if FAILURES else "all checks passed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
