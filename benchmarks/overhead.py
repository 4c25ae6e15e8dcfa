"""Training overhead of ``SimCLRTransformer.fit`` against a bare PyTorch loop.

Both sides train the same encoder, SimCLR projection head, NT-Xent loss and
default augmentation policy with AdamW, on the same synthetic random-walk
data, with the same batch size and number of epochs:

* library: ``SimCLRTransformer(max_epochs=..., batch_size=..., random_state=0,
  verbose=0).fit(X)``, i.e. sklearn parameter and input validation, module
  construction and the skorch training loop (callbacks, history, the
  per-batch ``embedding_std`` collapse indicator);
* bare: the plain loop a PyTorch user would write: shuffled permutation of
  one tensor per epoch, one gather per batch, two augmented views
  concatenated into one forward pass, ``loss.backward()``, ``opt.step()``.

The bare loop draws its seeds the way the library does, so both sides do the
same arithmetic; the per-epoch mean losses are printed as a check.

Two wall-clock throughputs (samples/s = n_samples * epochs / seconds) are reported:

* end to end: the whole ``fit`` call against the whole bare function
  (module construction included on both sides);
* epochs only: the sum of skorch's per-epoch ``history_[:, 'dur']`` against
  the sum of the bare loop's per-epoch wall times, i.e. the training loop
  without validation and construction.

A third figure divides the same work by the process CPU time of each whole
run (``time.process_time``). It is not the target measure, but with
``--threads 1`` it is nearly insensitive to other processes competing for the
CPU, which the wall-clock figures are not.

Runs are interleaved (library, bare, bare, library, ...) so that machine
noise hits both sides; the medians over ``--repeats`` runs, the ratio of the
medians and the median of the per-pair ratios are reported.

Usage::

    python benchmarks/overhead.py [--n-samples 512] [--length 256] ...
"""

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch

import sslts
from sslts import SimCLRTransformer
from sslts.augmentations import default_policy
from sslts.evaluation.report import cpu_model
from sslts.losses import NTXentLoss
from sslts.nn import ProjectionHead, build_encoder
from sslts.utils.device import resolve_device
from sslts.utils.random import draw_seed

SEED = 0
# SimCLRTransformer defaults, repeated in the bare loop.
EMBEDDING_DIM = 128
LR = 1e-3
WEIGHT_DECAY = 1e-4
TEMPERATURE = 0.5


# --------------------------------------------------------------------- data
def make_data(n_samples, n_channels, length, seed=SEED):
    """Random walks, z-normalised per series and channel, float32."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_channels, length)).cumsum(axis=-1)
    X = (X - X.mean(axis=-1, keepdims=True)) / X.std(axis=-1, keepdims=True)
    return X.astype(np.float32)


# ------------------------------------------------------------------ library
def library_fit(X, epochs, batch_size, encoder, device="auto"):
    """Fit SimCLRTransformer; return (seconds, per-epoch seconds, per-epoch losses)."""
    # no step budget and no training windows: the bare loop has neither
    model = SimCLRTransformer(encoder=encoder, max_epochs=epochs, max_steps=None,
                              max_train_length=None, batch_size=batch_size,
                              device=device, random_state=SEED, verbose=0)
    start = time.perf_counter()
    model.fit(X)
    total = time.perf_counter() - start
    history = model.history_
    return total, list(history[:, "dur"]), list(history[:, "train_loss"])


# --------------------------------------------------------------------- bare
def batch_bounds(n, batch_size):
    """Batch (start, stop) pairs; a last batch of one sample joins the previous one."""
    starts = list(range(0, n, batch_size))
    if n > 1 and n - starts[-1] == 1:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


def bare_fit(X, epochs, batch_size, encoder, device="auto"):
    """Same training as library_fit in a plain PyTorch loop.

    Returns (seconds, per-epoch seconds, per-epoch mean losses).
    """
    start = time.perf_counter()
    device = resolve_device(device)
    # Seeds drawn as in BaseSSLTransformer._fit_new / SSLNet.fit_loop, so that
    # both sides initialise, shuffle and augment identically.
    rng = np.random.RandomState(SEED)
    init_seed = draw_seed(rng)
    net_rng = np.random.RandomState(draw_seed(rng))
    shuffle_gen = torch.Generator().manual_seed(draw_seed(net_rng))
    augment_gen = torch.Generator(device=device).manual_seed(draw_seed(net_rng))

    x_all = torch.from_numpy(X)
    n = x_all.shape[0]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed)
        enc = build_encoder(encoder, x_all.shape[1], EMBEDDING_DIM)
        head = ProjectionHead(enc.out_features, (enc.out_features, enc.out_features))
    enc.to(device)
    head.to(device)
    loss_fn = NTXentLoss(temperature=TEMPERATURE)
    policy = default_policy()
    opt = torch.optim.AdamW(list(enc.parameters()) + list(head.parameters()),
                            lr=LR, weight_decay=WEIGHT_DECAY)
    bounds = batch_bounds(n, batch_size)
    enc.train()
    head.train()

    durations, losses = [], []
    for _ in range(epochs):
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=shuffle_gen)
        loss_sum = 0.0
        for lo, hi in bounds:
            xb = x_all[order[lo:hi]].to(device)  # data stays on the CPU, as in the library
            views = policy.augment(torch.cat([xb, xb]), augment_gen)
            z1, z2 = head(enc(views)).chunk(2)
            loss = loss_fn(z1, z2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * (hi - lo)
        losses.append(loss_sum / n)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        durations.append(time.perf_counter() - epoch_start)
    return time.perf_counter() - start, durations, losses


# ------------------------------------------------------------------ reports
def machine_info():
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "skorch": __import__("skorch").__version__,
        "sslts": getattr(sslts, "__version__", "unknown"),
    }


def fmt_load(load):
    return "n/a" if load is None else "/".join(f"{v:.2f}" for v in load)


def summarise(runs, n_samples, epochs):
    work = n_samples * epochs
    out = {}
    for side in ("library", "bare"):
        out[side] = {
            "end_to_end": [work / r["total"] for r in runs[side]],
            "epochs_only": [work / sum(r["durations"]) for r in runs[side]],
            "setup_s": [r["total"] - sum(r["durations"]) for r in runs[side]],
            "cpu_time": [work / r["cpu_s"] for r in runs[side]],
        }
    ratios = {}
    for kind in ("end_to_end", "epochs_only", "cpu_time"):
        lib, bare = out["library"][kind], out["bare"][kind]
        ratios[kind] = {
            "library_median": statistics.median(lib),
            "bare_median": statistics.median(bare),
            "ratio_of_medians": statistics.median(lib) / statistics.median(bare),
            "median_pair_ratio": statistics.median(a / b for a, b in zip(lib, bare)),
        }
    return out, ratios


def markdown(args, info, out, ratios, loss_check):
    lines = [
        f"Machine: {info['cpu']}, {info['usable_cores']} usable cores "
        f"({info['cores']} total), torch {info['torch']} with "
        f"{info['torch_threads']} threads, device {args.device!r}, skorch {info['skorch']}, "
        f"Python {info['python']}.",
        f"Load average (1, 5, 15 min) at start {fmt_load(info['load_avg_1_5_15min']['start'])}, "
        f"at end {fmt_load(info['load_avg_1_5_15min']['end'])} "
        f"(above the core count means other processes competed for the CPU).",
        "",
        f"Data: {args.n_samples} series x {args.channels} channel(s) x {args.length} steps; "
        f"encoder {args.encoder!r}, batch size {args.batch_size}, {args.epochs} epoch(s), "
        f"{args.repeats} interleaved repeats.",
        "",
        "Per run throughput (samples/s):",
        "",
        "| run | library end-to-end | bare end-to-end | library epochs only "
        "| bare epochs only | library setup (s) | bare setup (s) "
        "| library per CPU s | bare per CPU s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lib, bare = out["library"], out["bare"]
    for i in range(args.repeats):
        lines.append(
            f"| {i + 1} | {lib['end_to_end'][i]:.1f} | {bare['end_to_end'][i]:.1f} "
            f"| {lib['epochs_only'][i]:.1f} | {bare['epochs_only'][i]:.1f} "
            f"| {lib['setup_s'][i]:.3f} | {bare['setup_s'][i]:.3f} "
            f"| {lib['cpu_time'][i]:.1f} | {bare['cpu_time'][i]:.1f} |"
        )
    lines += [
        "",
        "| measure | library median (samples/s) | bare median (samples/s) "
        "| ratio of medians | median of pair ratios |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, label in (("end_to_end", "end to end (whole fit)"),
                        ("epochs_only", "epochs only (skorch dur)"),
                        ("cpu_time", "whole fit, per process CPU second")):
        r = ratios[kind]
        lines.append(
            f"| {label} | {r['library_median']:.1f} | {r['bare_median']:.1f} "
            f"| {r['ratio_of_medians']:.3f} | {r['median_pair_ratio']:.3f} |"
        )
    lines += [
        "",
        f"Median setup time outside the epochs: library "
        f"{statistics.median(lib['setup_s']):.3f} s, "
        f"bare {statistics.median(bare['setup_s']):.3f} s.",
        f"Same computation check: per-epoch mean losses library {loss_check['library']}, "
        f"bare {loss_check['bare']} (max abs difference {loss_check['max_abs_diff']:.2e}).",
    ]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=512)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--encoder", default="resnet", choices=["resnet", "fcn", "dilated_cnn"])
    parser.add_argument("--device", default="auto",
                        help="training device of both sides, as SimCLRTransformer's device "
                             "(default: 'auto', CUDA when available)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads value (default: torch's default)")
    parser.add_argument("--output", default=None,
                        help="write the results to this path: JSON if it ends in .json, "
                             "else Markdown")
    args = parser.parse_args(argv)
    if args.n_samples < 2 or args.batch_size < 2 or args.epochs < 1 or args.repeats < 1:
        parser.error("need --n-samples >= 2, --batch-size >= 2, --epochs >= 1, --repeats >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    info = machine_info()
    X = make_data(args.n_samples, args.channels, args.length)
    device = resolve_device(args.device)
    fit_args = (args.epochs, args.batch_size, args.encoder, device)
    print(f"{info['cpu']} | {info['usable_cores']} usable cores | torch {info['torch']} "
          f"| {info['torch_threads']} threads | device {device}", flush=True)

    # Warm-up: one short fit of each side, one epoch on the first two batches
    # (same batch shape as the timed runs): oneDNN/cuDNN primitive caches,
    # allocator, lazy imports.
    start = time.perf_counter()
    X_warm = X[: 2 * args.batch_size]
    library_fit(X_warm, 1, args.batch_size, args.encoder, device)
    bare_fit(X_warm, 1, args.batch_size, args.encoder, device)
    print(f"warm-up (1 short epoch each): {time.perf_counter() - start:.1f} s", flush=True)

    runs = {"library": [], "bare": []}
    for i in range(args.repeats):
        # Alternate which side goes first so a drift in machine speed does not
        # always favour the same side.
        order = ("library", "bare") if i % 2 == 0 else ("bare", "library")
        for side in order:
            fit = library_fit if side == "library" else bare_fit
            cpu_start = time.process_time()
            total, durations, losses = fit(X, *fit_args)
            cpu = time.process_time() - cpu_start
            runs[side].append({"total": total, "cpu_s": cpu,
                               "durations": [float(d) for d in durations],
                               "losses": [float(v) for v in losses]})
            print(f"repeat {i + 1}/{args.repeats} {side:>7}: {total:7.2f} s "
                  f"({args.n_samples * args.epochs / total:7.1f} samples/s), "
                  f"epochs {sum(durations):7.2f} s", flush=True)

    info["load_avg_1_5_15min"] = {
        "start": load_start,
        "end": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    out, ratios = summarise(runs, args.n_samples, args.epochs)
    lib_losses = [round(float(v), 6) for v in runs["library"][0]["losses"]]
    bare_losses = [round(float(v), 6) for v in runs["bare"][0]["losses"]]
    loss_check = {
        "library": lib_losses,
        "bare": bare_losses,
        "max_abs_diff": max(abs(a - b) for a, b in
                            zip(runs["library"][0]["losses"], runs["bare"][0]["losses"])),
    }
    report = markdown(args, info, out, ratios, loss_check)
    print()
    print(report)

    if args.output:
        if args.output.endswith(".json"):
            payload = {"args": vars(args), "machine": info, "runs": runs,
                       "throughput": out, "ratios": ratios, "loss_check": loss_check}
            text = json.dumps(payload, indent=2)
        else:
            text = report + "\n"
        with open(args.output, "w") as f:
            f.write(text)
    return ratios


if __name__ == "__main__":
    main()
