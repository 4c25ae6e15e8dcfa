"""Command line interface of sslts: ``sslts benchmark``.

Run ``sslts benchmark --help`` (or ``python -m sslts.cli benchmark --help``)
for the options; ``docs/benchmarks_cli.md`` explains the protocol and the
columns of the results. The parser imports nothing heavy: torch, scikit-learn
and the registries are imported when a command runs or an option is checked,
so ``--help`` and ``--version`` answer at once.
"""

import argparse
import shlex
import sys
from pathlib import Path

from . import __version__

__all__ = ["build_parser", "main"]

#: ArrowHead, where training visibly adds to the encoder (against the
#: random-encoder baseline), and ItalyPowerDemand, short sensor series where
#: it does not; both fit in about a minute per method on 2 CPU cores.
DEFAULT_DATASETS = ("ArrowHead", "ItalyPowerDemand")
DEFAULT_BASELINES = ("1nn", "random_encoder", "minirocket")
#: ``--datasets all``: every dataset of ``--data-dir``.
ALL = "all"


def build_parser():
    """Return the ``argparse`` parser of the ``sslts`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="sslts", description="Self-supervised learning for time series.")
    parser.add_argument("--version", action="version", version=f"sslts {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench = commands.add_parser(
        "benchmark",
        help="fit the self-supervised methods on UCR/UEA datasets and score them",
        description=(
            "Fit each method on the train split of each dataset (labels unused), "
            "score its embeddings with a probe on the test split, over several "
            "seeds, next to baselines measured in the same run and published "
            "numbers. Prints a table and writes results.csv, runs.csv, "
            "results.md and results.png. Without options: "
            f"{' and '.join(DEFAULT_DATASETS)}, every method, 1 seed, SVM probe, "
            "1-NN, random-encoder and MiniRocket baselines."
        ),
    )
    bench.add_argument(
        "--list", action="store_true",
        help="print the methods, probes, baselines and offline datasets, then exit")
    bench.add_argument(
        "--datasets", type=_dataset_list, default=DEFAULT_DATASETS, metavar="NAMES",
        help=("comma-separated UCR/UEA names, any case (default: "
              f"{','.join(DEFAULT_DATASETS)}); the "
              "bundled ones load offline (see --list), others are downloaded; with "
              "--data-dir, names of its folders, or 'all' for every dataset there"))
    bench.add_argument(
        "--data-dir", default=None, metavar="DIR",
        help=("a local copy of the UCR/UEA archives, read offline: one folder per "
              "dataset holding NAME_TRAIN and NAME_TEST files, .ts (sktime's format) "
              "or .tsv (UCR 2018); datasets are loaded one at a time, and in a "
              "'--datasets all' run one that fails to load is reported and skipped"))
    bench.add_argument(
        "--methods", type=_choice_list("methods", "method", none=True), default=None,
        metavar="NAMES",
        help="comma-separated method names, or 'none' for baselines only (default: all; "
             "see --list)")
    bench.add_argument(
        "--seeds", type=_positive_int, default=1, metavar="N",
        help="number of seeds per method, passed as random_state=0..N-1 (default: 1)")
    bench.add_argument(
        "--probe", type=_choice_list("probes", "probe"), default=("svm",), metavar="NAMES",
        help="comma-separated probe name(s) (default: svm; see --list)")
    bench.add_argument(
        "--baselines", type=_choice_list("baselines", "baseline", none=True), default=None,
        metavar="NAMES",
        help=("comma-separated baseline names, or 'none' (default: "
              f"{','.join(DEFAULT_BASELINES)}, "
              "MiniRocket skipped when numba is missing; see --list); minirocket "
              "and ts2vec need: pip install \"sslts[bench]\""))
    bench.add_argument(
        "--output", default="benchmark-results", metavar="DIR",
        help="folder for the result files (default: benchmark-results)")
    bench.add_argument(
        "--max-epochs", type=_positive_int, default=None, metavar="N",
        help=("override the training epochs of the methods and TS2Vec; only for "
              "tests and smoke runs, results are not comparable with the defaults"))
    bench.add_argument(
        "--device", type=_device, default="auto",
        help="torch device: auto, cpu, cuda, cuda:N or mps (default: auto)")
    bench.add_argument(
        "--resume", action="store_true",
        help=("keep the runs already in DIR/runs.csv (written after every run, so "
              "an interrupted benchmark leaves its finished runs there) and run "
              "only the others; use the same options as the interrupted run"))
    bench.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    bench.set_defaults(parser=bench)  # for errors found after parsing
    return parser


def main(argv=None):
    """Run the ``sslts`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success (argument errors exit through argparse with status 2,
        dataset loading errors with status 1).
    """
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.list:
        print(_listing())
        return 0
    import pandas as pd

    from .evaluation import benchmark, report

    bench = args.parser
    datasets = _resolve_datasets(args.datasets, args.data_dir, bench)
    baselines = _resolve_baselines(args.baselines, bench)
    data = None
    if args.data_dir is None:  # a few datasets, loaded up front
        try:
            data = benchmark.load_datasets(datasets)
        except RuntimeError as e:
            bench.exit(1, f"sslts benchmark: error: {e}\n")
    output = Path(args.output)
    runs_path = output / "runs.csv"
    done = None
    if args.resume and runs_path.exists():
        done = pd.read_csv(runs_path)
        print(f"Resuming: {len(done)} result row(s) read from {runs_path}", file=sys.stderr)

    def save_runs(runs):
        output.mkdir(parents=True, exist_ok=True)
        runs.to_csv(runs_path, index=False)

    methods = tuple(_registries()["methods"]) if args.methods is None else args.methods

    def run(data, on_run):
        return benchmark.run_benchmark(
            data, methods, seeds=args.seeds, probes=args.probe, baselines=baselines,
            max_epochs=args.max_epochs, device=args.device,
            progress=not args.no_progress, done=done, on_run=on_run)

    skipped = []
    if data is not None:
        runs = run(data, save_runs)
    else:
        runs, skipped = _run_one_at_a_time(
            datasets, args.data_dir, run, save_runs, done, bench,
            skip_failures=args.datasets == ALL, progress=not args.no_progress)
    machine = report.machine_description(args.device)
    paths = report.write_report(runs, args.output, machine,
                                command=shlex.join(["sslts", *argv]))
    print(report.format_table(report.summarize(runs)))
    print(f"\nWrote {', '.join(p.name for p in paths.values())} to {args.output}")
    if "figure" not in paths:
        print("results.png not written: matplotlib is not installed "
              "(pip install \"sslts[bench]\").", file=sys.stderr)
    if skipped:
        print(f"Skipped {len(skipped)} dataset(s) that could not be loaded: "
              f"{', '.join(skipped)}", file=sys.stderr)
    return 0


def _run_one_at_a_time(names, data_dir, run, save_runs, done, parser, *, skip_failures,
                       progress):
    """Run the benchmark on the datasets of ``data_dir``, loading one at a time.

    Only one dataset is held in memory. ``runs.csv`` is saved after every
    run with the rows of the datasets before, and the rows of ``done`` for
    the datasets still ahead (so that an interruption loses nothing). A
    dataset that fails to load ends the command (status 1), or with
    ``skip_failures`` is reported on stderr and skipped, its rows in
    ``done`` (if any) kept.

    Returns
    -------
    runs : pandas.DataFrame
        The rows of every dataset, in order.
    skipped : list of str
        The datasets that could not be loaded.
    """
    import pandas as pd

    from .evaluation import benchmark

    finished, skipped = [], []

    def joined(frames):
        frames = [frame for frame in frames if len(frame)]
        if not frames:
            return pd.DataFrame(columns=benchmark.RUN_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def done_rows(datasets):
        if done is None:
            return []
        kept = done.loc[done["dataset"].isin(datasets), benchmark.RUN_COLUMNS].copy()
        kept["seed"] = kept["seed"].astype("Int64")
        return [kept]

    for number, name in enumerate(names, start=1):
        if progress:
            print(f"[{number}/{len(names)}] {name}", file=sys.stderr)
        try:
            data = benchmark.load_datasets([name], data_dir=data_dir)
        except (OSError, RuntimeError, TypeError, ValueError) as e:
            if not skip_failures:
                parser.exit(1, f"sslts benchmark: error: {e}\n")
            print(f"Skipping {name}: it could not be loaded. {e}", file=sys.stderr)
            skipped.append(name)
            finished += done_rows([name])  # runs.csv keeps its earlier rows
            continue
        before, ahead = list(finished), done_rows(names[number:])
        finished.append(run(data, lambda runs, before=before, ahead=ahead:
                            save_runs(joined([*before, runs, *ahead]))))
        del data  # before the next dataset is loaded
    if len(skipped) == len(names):
        parser.exit(1, "sslts benchmark: error: no dataset could be loaded from "
                       f"{data_dir}\n")
    return joined(finished), skipped


def _registries():
    """The names the options take: methods, probes and baselines (imports them)."""
    from .evaluation.baselines import BASELINES
    from .evaluation.probes import PROBES
    from .methods import METHODS

    return {"methods": METHODS, "probes": PROBES, "baselines": BASELINES}


def _listing():
    """Text of ``sslts benchmark --list``."""
    from .datasets import BUNDLED_DATASETS
    from .evaluation.baselines import missing_dependency

    names = _registries()
    baselines = [name + ("" if missing_dependency(name) is None else " (needs sslts[bench])")
                 for name in names["baselines"]]
    return "\n".join([
        f"methods:   {', '.join(names['methods'])}",
        f"probes:    {', '.join(names['probes'])}",
        f"baselines: {', '.join(baselines)}",
        f"datasets available offline: {', '.join(BUNDLED_DATASETS)}",
    ])


def _resolve_baselines(requested, parser):
    """Explicit baselines must be runnable; missing optional defaults are skipped."""
    from .evaluation.baselines import missing_dependency

    if requested is not None:
        for name in requested:
            message = missing_dependency(name)
            if message is not None:
                parser.error(message)
        return requested
    baselines = []
    for name in DEFAULT_BASELINES:
        message = missing_dependency(name)
        if message is None:
            baselines.append(name)
        else:
            print(f"Skipping a default baseline. {message}", file=sys.stderr)
    return tuple(baselines)


def _split(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one name")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"repeated name in {text!r}")
    return tuple(names)


def _choice_list(registry, what, none=False):
    """Parser of comma-separated names of ``registry``; 'none' gives () when ``none``."""
    def parse(text):
        if none and text.strip().lower() == "none":
            return ()
        names = _split(text)
        choices = _registries()[registry]
        unknown = [name for name in names if name not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(map(repr, unknown))}; valid choices: "
                f"{', '.join(choices)}")
        return names
    return parse




def _dataset_list(text):
    """Names of ``--datasets`` as typed, or :data:`ALL`; resolved after parsing."""
    if text.strip().lower() == ALL:
        return ALL
    return _split(text)


def _resolve_datasets(requested, data_dir, parser):
    """The archive's spelling of the names of ``--datasets``, or every dataset
    of ``--data-dir`` for ``all``; unknown names are argument errors."""
    from .datasets import archive_datasets, dataset_name

    if data_dir is None:
        if requested == ALL:
            parser.error("--datasets all needs --data-dir (a local copy of the archives)")
        found = None
    else:
        try:
            found = archive_datasets(data_dir)
        except ValueError as e:
            parser.error(f"argument --data-dir: {e}")
        if not found:
            parser.error(f"argument --data-dir: no dataset in {data_dir}: expected one "
                         "folder per dataset, NAME/NAME_TRAIN.ts and NAME/NAME_TEST.ts "
                         "(or .tsv)")
        if requested == ALL:
            return tuple(found)
    try:
        names = tuple(dataset_name(name, data_dir=data_dir) for name in requested)
    except ValueError as e:
        parser.error(f"argument --datasets: {e}")
    if len(set(names)) != len(names):
        parser.error(f"argument --datasets: repeated name in {','.join(requested)!r}")
    incomplete = [name for name in names if found is not None and name not in found]
    if incomplete:
        parser.error(f"argument --datasets: the folder of {', '.join(incomplete)} in "
                     f"{data_dir} lacks a train or a test file (NAME_TRAIN.ts or .tsv, "
                     "NAME_TEST.ts or .tsv)")
    return names


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _device(text):
    from .utils.device import resolve_device

    try:
        return resolve_device(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


if __name__ == "__main__":
    sys.exit(main())
