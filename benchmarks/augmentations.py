"""Throughput of the batched augmentations against per-sample numpy code and tsaug.

The same four operations, with the library defaults' strengths (jitter
sigma 0.03, per-channel scaling sigma 0.1, time warp sigma 0.2 with 4
knots, crop of 50-100% of the length resized back), are applied to one
``(n_samples, n_channels, length)`` float32 batch by:

* ``sslts augment``: ``Compose([Jitter(), Scaling(), TimeWarp(),
  ResizedCrop()]).augment(x, generator)`` on a torch tensor, the kernel used
  inside training;
* ``sslts transform``: the scikit-learn face of the same object on the numpy
  array (``fit`` once, then ``transform``: input validation and copies
  included);
* ``numpy loop``: a per-sample Python loop written the way typical
  time-series augmentation code is (Um et al. 2017; the
  ``time_series_augmentation`` code of Iwana & Uchida 2021): for each sample,
  ``np.random.normal`` jitter, a random factor per channel, a time warp from
  a cubic spline of random speed knots (``scipy.interpolate.CubicSpline``)
  applied with ``np.interp`` per channel, and a random window resized with
  ``np.interp`` per channel;
* ``tsaug``: the closest tsaug 0.2 pipeline, ``AddNoise(scale=0.03,
  normalize=False) + Drift(max_drift=0.1, n_drift_points=1,
  kind="multiplicative") + TimeWarp(n_speed_change=4, max_speed_ratio=2.0) +
  Crop(size=(length // 2, length), resize=length)`` on the ``(n, t, c)``
  layout tsaug expects. tsaug has no constant per-channel scaling: a smooth
  multiplicative drift per channel is the nearest operation. tsaug computes
  in float64.

Runs are interleaved (the order rotates at each repeat) after one warm-up
call of each; the script prints medians over ``--repeats`` runs in ms per
batch and the speedup of ``sslts augment`` over each other method.
``--device cuda`` also times the kernel on the GPU (``torch.cuda.synchronize``
around each call). ``--train-step`` measures the share of the augmentation in
one SimCLR training step on ``--device``: two views of the default policy (as
``sslts.training.objectives.TwoViews`` draws them) against ``net_.train_step`` of a
``SimCLRTransformer`` with its default encoder on a ``(--step-batch,
n_channels, length)`` batch (forward, backward and AdamW step).

Usage::

    python benchmarks/augmentations.py [--repeats 7] [--threads 2] [--device cuda] [--train-step]
"""

import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
import tsaug
from overhead import fmt_load, machine_info
from scipy.interpolate import CubicSpline

from sslts import SimCLRTransformer
from sslts.augmentations import Compose, Jitter, ResizedCrop, Scaling, TimeWarp
from sslts.utils.device import resolve_device
from sslts.utils.random import seeded_generator
from sslts.utils.tensors import valid_lengths

SEED = 0
# Strengths of the sslts defaults, repeated in the numpy loop and tsaug.
JITTER_SIGMA = 0.03
SCALING_SIGMA = 0.1
WARP_SIGMA = 0.2
WARP_KNOTS = 4
CROP_SCALE = (0.5, 1.0)


# --------------------------------------------------------------------- data
def make_data(n_samples, n_channels, length, seed=SEED):
    """Random walks, z-normalised per series and channel, float32."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_channels, length)).cumsum(axis=-1)
    X = (X - X.mean(axis=-1, keepdims=True)) / X.std(axis=-1, keepdims=True)
    return X.astype(np.float32)


# ---------------------------------------------------------------- the sides
def sslts_compose(random_state=None):
    return Compose([Jitter(sigma=JITTER_SIGMA), Scaling(sigma=SCALING_SIGMA),
                    TimeWarp(sigma=WARP_SIGMA, n_knots=WARP_KNOTS),
                    ResizedCrop(scale=CROP_SCALE)], random_state=random_state)


def numpy_loop(X, rng):
    """The four operations sample by sample, as typical augmentation code does."""
    n, c, t = X.shape
    out = np.zeros_like(X)
    steps = np.arange(t)
    knot_steps = np.linspace(0, t - 1, WARP_KNOTS + 2)
    for i in range(n):
        x = X[i] + rng.normal(0.0, JITTER_SIGMA, size=(c, t))           # jitter
        x = x * rng.normal(1.0, SCALING_SIGMA, size=(c, 1))              # scaling
        speed = np.clip(rng.normal(1.0, WARP_SIGMA, size=WARP_KNOTS + 2), 0.1, None)
        warp = np.cumsum(CubicSpline(knot_steps, speed)(steps))         # time warp
        warp = (warp - warp[0]) * (t - 1) / (warp[-1] - warp[0])
        warped = np.zeros_like(x)
        for ch in range(c):
            warped[ch] = np.interp(warp, steps, x[ch])
        size = rng.uniform(*CROP_SCALE) * (t - 1)                        # crop + resize
        start = rng.uniform(0.0, t - 1 - size)
        window = np.linspace(start, start + size, t)
        for ch in range(c):
            out[i, ch] = np.interp(window, steps, warped[ch])
    return out


def tsaug_pipeline(length):
    return (tsaug.AddNoise(scale=JITTER_SIGMA, normalize=False)
            + tsaug.Drift(max_drift=SCALING_SIGMA, n_drift_points=1, kind="multiplicative")
            + tsaug.TimeWarp(n_speed_change=WARP_KNOTS, max_speed_ratio=2.0)
            + tsaug.Crop(size=(length // 2, length), resize=length))


def make_sides(X, device):
    """Callables timed by the benchmark, keyed by name."""
    compose = sslts_compose()
    xt = torch.from_numpy(X)
    generator = seeded_generator(SEED)
    fitted = sslts_compose(random_state=SEED).fit(X)
    rng = np.random.default_rng(SEED)
    pipe = tsaug_pipeline(X.shape[-1])
    sides = {
        "sslts augment (cpu)": lambda: compose.augment(xt, generator),
        "sslts transform (cpu, numpy)": lambda: fitted.transform(X),
        "numpy loop": lambda: numpy_loop(X, rng),
        "tsaug": lambda: pipe.augment(X.transpose(0, 2, 1)).transpose(0, 2, 1),
    }
    if device.startswith("cuda"):
        x_gpu = xt.to(device)
        gpu_generator = seeded_generator(SEED, device)
        sides[f"sslts augment ({device})"] = lambda: compose.augment(x_gpu, gpu_generator)
    return sides


# ------------------------------------------------------------------- timing
def timed(fn, device):
    """Seconds taken by ``fn()`` and its result, synchronising CUDA around it."""
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.no_grad():
        out = fn()
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start, out


def check_output(name, out, X):
    """Raise unless ``out`` is a finite augmented batch of the shape of ``X``."""
    out = out.detach().cpu().numpy() if isinstance(out, torch.Tensor) else np.asarray(out)
    if out.shape != X.shape or not np.isfinite(out).all():
        raise RuntimeError(f"{name} returned shape {out.shape} or non-finite values.")
    if np.allclose(out, X):
        raise RuntimeError(f"{name} returned its input unchanged.")


def interleaved(sides, repeats, device):
    """Per-call seconds of each side over ``repeats`` rotated rounds."""
    names = list(sides)
    times = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            seconds, _ = timed(sides[name], device)
            times[name].append(seconds)
        print(f"repeat {r + 1}/{repeats}: " + ", ".join(
            f"{name} {1e3 * times[name][-1]:.1f} ms" for name in names), flush=True)
    return times


def throughput(X, repeats, device):
    sides = make_sides(X, device)
    for name, fn in sides.items():  # warm-up and correctness check
        check_output(name, timed(fn, device)[1], X)
    return interleaved(sides, repeats, device)


def train_step_share(X, repeats, device):
    """Seconds of two default-policy views and of a full SimCLR step, per repeat."""
    model = SimCLRTransformer(max_epochs=1, batch_size=len(X), device=device,
                              random_state=SEED).fit(X)  # one step: builds and warms up
    net = model.net_
    net._augment_generator = seeded_generator(SEED, device)  # set by fit_loop only
    policy, generator = net.objective.augmentation, net._augment_generator
    xb = torch.from_numpy(X).to(device)
    lengths = valid_lengths(xb)  # what the batch iterator hands the step
    batch = ({"x": xb, "lengths": lengths}, None)

    def views():
        return policy.augment(torch.cat([xb, xb]), generator, torch.cat([lengths, lengths]))

    sides = {"two views (default policy)": views,
             "train step (SimCLR, default encoder)": lambda: net.train_step(batch)}
    for fn in sides.values():
        timed(fn, device)
    names, times = list(sides), {name: [] for name in sides}
    for r in range(repeats):
        for name in (names if r % 2 == 0 else names[::-1]):
            cuda = device.startswith("cuda")
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            sides[name]()  # the step needs autograd: not run under no_grad
            if cuda:
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
        print(f"step repeat {r + 1}/{repeats}: " + ", ".join(
            f"{name} {1e3 * times[name][-1]:.1f} ms" for name in names), flush=True)
    return times


# ------------------------------------------------------------------ reports
def markdown(args, info, times, step_times):
    med = {name: statistics.median(v) for name, v in times.items()}
    ref_name = "sslts augment (cpu)"
    ref = med[ref_name]
    load = info["load_avg_1_5_15min"]
    lines = [
        f"Machine: {info['cpu']}, {info['usable_cores']} usable cores, torch "
        f"{info['torch']} with {info['torch_threads']} threads, numpy {np.__version__}, "
        f"tsaug {tsaug.__version__}, Python {info['python']}"
        + (f", GPU {info['gpu']}" if "gpu" in info else "") + ".",
        f"Load average (1, 5, 15 min) at start {fmt_load(load['start'])}, "
        f"at end {fmt_load(load['end'])}.",
    ]
    if load["start"] is not None and max(load["start"][0], load["end"][0]) > info["usable_cores"]:
        lines.append("Warning: the load exceeded the core count; other processes competed "
                     "for the CPU and the CPU timings are noisy (multi-threaded torch "
                     "suffers most).")
    lines += [
        "",
        f"Batch: {args.n_samples} x {args.channels} x {args.length} float32; "
        f"Jitter + Scaling + TimeWarp + ResizedCrop; median of {args.repeats} "
        "interleaved repeats.",
        "",
        f"| method | median ms / batch | min ms | series / s | time / {ref_name} |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in med.items():
        lines.append(
            f"| {name} | {1e3 * seconds:.1f} | {1e3 * min(times[name]):.1f} "
            f"| {args.n_samples / seconds:,.0f} | {seconds / ref:.2f} |"
        )
    lines.append("")
    for name in ("numpy loop", "tsaug"):
        pairs = statistics.median(a / b for a, b in zip(times[name], times[ref_name]))
        lines.append(f"Speedup of {ref_name} over {name}: {med[name] / ref:.1f}x "
                     f"(median of per-repeat ratios {pairs:.1f}x).")
    cuda = [name for name in med if name.startswith("sslts augment (cuda")]
    for name in cuda:
        lines.append(f"Speedup of {name} over {ref_name}: {ref / med[name]:.1f}x; "
                     f"over numpy loop: {med['numpy loop'] / med[name]:.0f}x.")
    if step_times:
        aug, step = (statistics.median(v) for v in step_times.values())
        lines += [
            "",
            f"SimCLR training step on {args.device_resolved}, batch {args.step_batch} x "
            f"{args.channels} x {args.length}: two views of the default policy "
            f"{1e3 * aug:.1f} ms, full train step {1e3 * step:.1f} ms (median of "
            f"{args.repeats}); augmentation share {100 * aug / step:.1f}%.",
        ]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=1024)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads value")
    parser.add_argument("--device", default="cpu",
                        help="'cuda' (or 'cuda:N') also times the kernel there; the device "
                             "of --train-step")
    parser.add_argument("--train-step", action="store_true",
                        help="also measure the augmentation's share of a SimCLR step")
    parser.add_argument("--step-batch", type=int, default=256)
    parser.add_argument("--output", default=None,
                        help="write the results to this path: JSON if it ends in .json, "
                             "else Markdown")
    args = parser.parse_args(argv)
    if min(args.n_samples, args.channels, args.repeats, args.threads) < 1 or args.length < 4:
        parser.error("need positive --n-samples, --channels, --repeats, --threads "
                     "and --length >= 4")
    if args.step_batch < 2:
        parser.error("--step-batch must be at least 2")
    return args


def main(argv=None):
    args = parse_args(argv)
    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    torch.set_num_threads(args.threads)
    device = args.device_resolved = resolve_device(args.device)
    info = machine_info()
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    print(f"{info['cpu']} | {info['usable_cores']} usable cores | torch {info['torch']} "
          f"| {info['torch_threads']} threads | device {device}", flush=True)

    X = make_data(args.n_samples, args.channels, args.length)
    times = throughput(X, args.repeats, device)
    step_times = None
    if args.train_step:
        X_step = make_data(args.step_batch, args.channels, args.length, seed=SEED + 1)
        step_times = train_step_share(X_step, args.repeats, device)
    info["load_avg_1_5_15min"] = {
        "start": load_start,
        "end": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    report = markdown(args, info, times, step_times)
    print()
    print(report)
    if args.output:
        if args.output.endswith(".json"):
            text = json.dumps({"args": vars(args), "machine": info, "seconds": times,
                               "train_step_seconds": step_times}, indent=2)
        else:
            text = report + "\n"
        with open(args.output, "w") as f:
            f.write(text)
    return times, step_times


if __name__ == "__main__":
    main()
