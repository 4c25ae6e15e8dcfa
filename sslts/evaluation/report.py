"""Summaries of benchmark runs: table, CSV, Markdown, figure, machine."""

import datetime
import importlib.util
import os
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch

from .references import REFERENCE_METHODS, reference_accuracy

__all__ = ["SUMMARY_COLUMNS", "format_table", "machine_description", "plot_summary",
           "summarize", "summary_figure", "to_markdown", "write_report"]

#: Columns of the table returned by :func:`summarize`.
SUMMARY_COLUMNS = (
    ["dataset", "method", "kind", "probe", "accuracy_mean", "accuracy_std", "n_runs",
     "fit_seconds", "peak_memory_mb", "peak_gpu_memory_mb"]
    + [f"{method} (published)" for method in REFERENCE_METHODS]
)

_HEADERS = {
    "dataset": "dataset", "method": "method", "probe": "probe",
    "accuracy_mean": "accuracy", "accuracy_std": "std", "n_runs": "runs",
    "fit_seconds": "fit (s)", "peak_memory_mb": "peak memory (MiB)",
    "peak_gpu_memory_mb": "peak GPU memory (MiB)",
}


def summarize(runs):
    """Aggregate per-run rows into one row per dataset, method and probe.

    Parameters
    ----------
    runs : pandas.DataFrame
        As returned by :func:`~sslts.evaluation.benchmark.run_benchmark`.

    Returns
    -------
    summary : pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`: test accuracy mean and standard
        deviation over the runs (population std, 0 for a single run),
        number of runs, mean fit seconds, largest peak memory (and peak
        GPU memory, missing off CUDA), and the
        published accuracies of the dataset (missing, NaN, where not
        reported; shown as "n/a" in the rendered tables).
        Rows keep the order of ``runs``.
    """
    keys = ["dataset", "method", "kind", "probe"]
    grouped = runs.groupby(keys, sort=False, dropna=False)
    summary = grouped.agg(
        accuracy_mean=("accuracy", "mean"),
        accuracy_std=("accuracy", lambda a: float(np.std(a))),
        n_runs=("accuracy", "size"),
        fit_seconds=("fit_seconds", "mean"),
        peak_memory_mb=("peak_memory_mb", "max"),
        peak_gpu_memory_mb=("peak_gpu_memory_mb", "max"),
    ).reset_index()
    for method in REFERENCE_METHODS:
        summary[f"{method} (published)"] = [
            reference_accuracy(dataset)[method] for dataset in summary["dataset"]
        ]
    return summary[SUMMARY_COLUMNS]


def machine_description(device="cpu"):
    """Describe the machine a benchmark ran on.

    Parameters
    ----------
    device : str, default="cpu"
        Torch device used by the methods.

    Returns
    -------
    machine : dict
        CPU model, logical cores, memory, device (with the GPU name for
        CUDA), torch threads and versions of Python, torch, scikit-learn
        and sslts, platform and date.
    """
    from .. import __version__

    device = str(device)
    if device.startswith("cuda") and torch.cuda.is_available():
        device = f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return {
        "CPU": cpu_model(),
        "cores": os.cpu_count(),
        "memory": _memory(),
        "device": device,
        "torch threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "sslts": __version__,
        "platform": platform.platform(),
        "date": datetime.date.today().isoformat(),
    }


def to_markdown(summary, machine, command=None):
    """Render a summary as a Markdown page: table, then the machine.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarize`.
    machine : dict
        As returned by :func:`machine_description`.
    command : str, default=None
        Command line that produced the results, shown when given.

    Returns
    -------
    text : str
    """
    columns = _display_columns(summary)
    header = [_HEADERS.get(c, c) for c in columns]
    lines = ["# sslts benchmark results", ""]
    if command:
        lines += [f"Command: `{command}`", ""]
    lines += [
        "Test accuracy: self-supervised fit on the train split (labels unused), "
        "probe on the embeddings; baselines on the raw series (random "
        "encoders standardise them inside, as the methods do). Published "
        "columns are the papers' numbers, not measured here.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in summary[columns].itertuples(index=False):
        lines.append("| " + " | ".join(_cell(c, v) for c, v in zip(columns, row)) + " |")
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def format_table(summary):
    """Render a summary as a plain-text table for the terminal.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarize`.

    Returns
    -------
    text : str
    """
    columns = _display_columns(summary)
    cells = [[_HEADERS.get(c, c) for c in columns]]
    cells += [[_cell(c, v) for c, v in zip(columns, row)]
              for row in summary[columns].itertuples(index=False)]
    widths = [max(len(row[j]) for row in cells) for j in range(len(columns))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in cells)


def summary_figure(summary):
    """Bar chart of test accuracy per dataset: methods next to baselines.

    Bars carry their value (and the standard deviation over seeds as an
    error bar); the accuracy axis is zoomed to the data; the published
    accuracies of :data:`~sslts.evaluation.references.REFERENCE_METHODS` are
    lines across each dataset's bars; the legend sits outside the axes.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarize`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = _entry_labels(summary)
    entries = list(dict.fromkeys(labels))
    datasets = list(dict.fromkeys(summary["dataset"]))
    width = 0.8 / len(entries)
    fig, ax = plt.subplots(figsize=(min(5 + 0.45 * len(datasets) * len(entries), 22), 4.8),
                           layout="constrained")
    low = []
    for k, entry in enumerate(entries):
        rows = summary[labels == entry].set_index("dataset")
        present = [d for d in datasets if d in rows.index]
        x = [datasets.index(d) + (k - (len(entries) - 1) / 2) * width for d in present]
        mean, std = rows.loc[present, "accuracy_mean"], rows.loc[present, "accuracy_std"]
        baseline = rows["kind"].iloc[0] == "baseline"
        bars = ax.bar(x, mean, width, yerr=std, capsize=2, label=entry,
                      hatch="//" if baseline else None, edgecolor="black", linewidth=0.5)
        ax.bar_label(bars, fmt="%.3f", padding=2, fontsize="x-small", rotation=90)
        low.append((mean - std).min())
    styles = dict(zip(REFERENCE_METHODS, ["--", ":", "-.", (0, (5, 1, 1, 1))]))
    for method in REFERENCE_METHODS:
        published = [(i, reference_accuracy(d)[method]) for i, d in enumerate(datasets)]
        published = [(i, a) for i, a in published if a is not None and not np.isnan(a)]
        for n, (i, accuracy) in enumerate(published):  # a line across the dataset's bars
            ax.hlines(accuracy, i - 0.42, i + 0.42, colors="black", linewidth=1.3,
                      linestyles=styles[method], zorder=3,
                      label=f"{method} (published)" if n == 0 else None)
            low.append(accuracy)
    bottom = max(0.0, float(np.floor((min(low) - 0.05) * 20) / 20))
    ax.set_ylim(bottom, 1.06)
    ax.set_xticks(range(len(datasets)), datasets)
    ax.set_ylabel("test accuracy")
    ax.set_title("Self-supervised methods (solid) against baselines (hatched)")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_summary(summary, path):
    """Save :func:`summary_figure` of ``summary`` as a PNG image.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarize`.
    path : str or path-like
        Image file to write (PNG).
    """
    import matplotlib.pyplot as plt

    fig = summary_figure(summary)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(runs, output, machine, command=None):
    """Write ``results.csv``, ``runs.csv``, ``results.md`` and ``results.png``.

    Parameters
    ----------
    runs : pandas.DataFrame
        As returned by :func:`~sslts.evaluation.benchmark.run_benchmark`.
    output : str or path-like
        Folder, created if needed.
    machine : dict
        As returned by :func:`machine_description`.
    command : str, default=None
        Command line shown in ``results.md``.

    Returns
    -------
    paths : dict
        ``{"summary": ..., "runs": ..., "markdown": ..., "figure": ...}``;
        ``"figure"`` is left out when matplotlib is not installed.
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    summary = summarize(runs)
    paths = {
        "summary": output / "results.csv",
        "runs": output / "runs.csv",
        "markdown": output / "results.md",
    }
    summary.to_csv(paths["summary"], index=False)
    runs.to_csv(paths["runs"], index=False)
    paths["markdown"].write_text(to_markdown(summary, machine, command), encoding="utf-8")
    if importlib.util.find_spec("matplotlib") is not None:
        paths["figure"] = output / "results.png"
        plot_summary(summary, paths["figure"])
    return paths


# --------------------------------------------------------------------------
# helpers


def _display_columns(summary):
    """Columns shown in tables: no ``kind``; GPU memory only when measured."""
    gpu = summary["peak_gpu_memory_mb"].notna().any()
    return [c for c in SUMMARY_COLUMNS
            if c != "kind" and (gpu or c != "peak_gpu_memory_mb")]


def _entry_labels(summary):
    """Bar label per row: the method, with the probe when several were used."""
    several = summary.loc[summary["kind"] == "ssl", "probe"].nunique() > 1
    return pd.Series([
        f"{m} + {p}" if several and k == "ssl" else m
        for m, k, p in zip(summary["method"], summary["kind"], summary["probe"])
    ], index=summary.index)


def _cell(column, value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a" if "published" in column else "-"
    if column in ("accuracy_mean", "accuracy_std") or "published" in column:
        return f"{value:.3f}"
    if column == "fit_seconds":
        return f"{value:.1f}"
    if column in ("peak_memory_mb", "peak_gpu_memory_mb"):
        return f"{value:.0f}"
    return str(value)


def cpu_model():
    """The CPU model name from ``/proc/cpuinfo``, else what :mod:`platform` reports."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory():
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return f"{pages * size / 2**30:.0f} GiB"
    except (AttributeError, ValueError, OSError):
        return "unknown"
