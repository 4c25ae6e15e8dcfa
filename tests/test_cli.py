"""The ``sslts benchmark`` command."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from sslts import __version__, cli
from sslts.evaluation import baselines, benchmark
from sslts.methods import METHODS

from .test_datasets import write_ucr_tsv, write_uea_ts

TINY = ["benchmark", "--datasets", "ItalyPowerDemand", "--methods", "vicreg",
        "--max-epochs", "1", "--device", "cpu", "--no-progress"]


def test_benchmark_end_to_end_writes_csv_markdown_and_figure(tmp_path, capsys):
    out = tmp_path / "results"
    status = cli.main(TINY + ["--seeds", "2", "--probe", "knn", "--baselines", "1nn",
                              "--output", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "VICReg" in printed and "1-NN (raw)" in printed and "Wrote results.csv" in printed

    summary = pd.read_csv(out / "results.csv")
    assert list(summary["method"]) == ["1-NN (raw)", "VICReg"]
    assert list(summary["probe"]) == ["knn", "knn"]
    assert list(summary["n_runs"]) == [1, 2]
    assert summary["accuracy_mean"].between(0, 1).all()
    assert (summary["fit_seconds"] > 0).all()
    assert (summary["TS2Vec (published)"] == 0.925).all()
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["seed"].dropna().astype(int)) == [0, 1]

    text = (out / "results.md").read_text()
    assert "`sslts benchmark --datasets ItalyPowerDemand" in text
    assert "| ItalyPowerDemand | VICReg | knn |" in text
    assert "## Machine" in text and "- device: cpu" in text and "- torch: " in text
    assert (out / "results.png").read_bytes()[:4] == b"\x89PNG"


def test_resume_keeps_finished_runs_and_runs_the_others(tmp_path, capsys):
    out = tmp_path / "results"
    args = TINY + ["--seeds", "2", "--probe", "knn", "--baselines", "1nn", "--output", str(out)]
    assert cli.main(args) == 0
    runs = pd.read_csv(out / "runs.csv")
    vicreg = runs["method"] == "VICReg"
    # an interrupted run: seed 1 never finished; a marker shows what is kept
    runs.loc[vicreg & (runs["seed"] == 0), "accuracy"] = 0.125
    runs[~(vicreg & (runs["seed"] == 1))].to_csv(out / "runs.csv", index=False)
    assert cli.main(args + ["--resume"]) == 0
    assert "Resuming: 2 result row(s)" in capsys.readouterr().err
    resumed = pd.read_csv(out / "runs.csv")
    assert len(resumed) == len(runs)
    vicreg = resumed[resumed["method"] == "VICReg"].set_index("seed")["accuracy"]
    assert vicreg[0] == 0.125 and vicreg[1] != 0.125
    summary = pd.read_csv(out / "results.csv").set_index("method")
    assert summary.loc["VICReg", "n_runs"] == 2


def test_default_baselines_skip_those_missing_a_dependency(monkeypatch, capsys, tmp_path):
    captured = {}

    def fake_run(data, methods, **kwargs):
        captured.update(kwargs, methods=methods, datasets=list(data))
        raise SystemExit(0)  # stop before training

    monkeypatch.setattr(baselines, "missing_dependency",
                        lambda name: "needs numba" if name == "minirocket" else None)
    monkeypatch.setattr(benchmark, "run_benchmark", fake_run)
    with pytest.raises(SystemExit):
        cli.main(["benchmark", "--output", str(tmp_path)])
    assert captured["baselines"] == ("1nn", "random_encoder")
    assert captured["methods"] == tuple(METHODS)
    assert captured["datasets"] == ["ArrowHead", "ItalyPowerDemand"] and captured["seeds"] == 1
    assert captured["probes"] == ("svm",) and captured["max_epochs"] is None
    assert "Skipping a default baseline. needs numba" in capsys.readouterr().err


def test_an_explicit_baseline_missing_a_dependency_is_an_error(monkeypatch, capsys):
    monkeypatch.setattr(baselines, "missing_dependency",
                        lambda name: f"{name} needs sslts[bench]")
    with pytest.raises(SystemExit) as info:
        cli.main(TINY + ["--baselines", "1nn,ts2vec"])
    assert info.value.code == 2
    assert "1nn needs sslts[bench]" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--datasets", "GunPoint,Nope"], "Unknown UCR/UEA dataset 'Nope'.*bundled.*GunPoint"),
    (["--datasets", "GunPoint,gunpoint"], "repeated name"),
    (["--datasets", "GunPint"], "Did you mean 'GunPoint'"),
    (["--methods", "simclr,byol"],
     "unknown method 'byol'; valid choices: simclr, barlowtwins, vicreg"),
    (["--probe", "mlp"], "unknown probe 'mlp'; valid choices: svm, logistic, knn"),
    (["--baselines", "rocket"],
     "unknown baseline 'rocket'; valid choices: 1nn, minirocket, ts2vec"),
    (["--seeds", "0"], "--seeds: must be at least 1, got 0"),
    (["--seeds", "two"], "--seeds: expected a positive integer, got 'two'"),
    (["--max-epochs", "-1"], "--max-epochs: must be at least 1"),
    (["--methods", "simclr,simclr"], "repeated name"),
    (["--datasets", ","], "expected at least one name"),
    (["--device", "tpu"], "Unknown device 'tpu'"),
])
def test_bad_arguments_are_argparse_errors_with_the_choices(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["benchmark", *args])
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2 and "COMMAND" in capsys.readouterr().err


def test_dataset_loading_errors_exit_with_status_1(monkeypatch, capsys):
    def offline(names):
        raise RuntimeError("Could not load the dataset 'Coffee': a network connection is needed")

    monkeypatch.setattr(benchmark, "load_datasets", offline)
    with pytest.raises(SystemExit) as info:
        cli.main(["benchmark", "--datasets", "Coffee"])
    assert info.value.code == 1
    assert "error: Could not load the dataset 'Coffee'" in capsys.readouterr().err


def local_archive(folder):
    """A univariate .tsv dataset and a 2-channel .ts dataset in the archives' layouts."""
    write_ucr_tsv(folder, "Toy")
    write_uea_ts(folder, "TwoChannels", labels_train=("a", "b", "a", "b"))
    return folder


def archive_args(tmp_path):
    """Arguments of a baselines-only benchmark of every dataset of a local archive."""
    archive = local_archive(tmp_path / "archive")
    return ["benchmark", "--data-dir", str(archive), "--datasets", "all", "--methods", "none",
            "--baselines", "1nn", "--no-progress", "--output", str(tmp_path / "results")]


def test_all_datasets_of_a_local_archive_and_resume(tmp_path, capsys):
    out, args = tmp_path / "results", archive_args(tmp_path)
    assert cli.main(args) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs["dataset"]) == ["Toy", "TwoChannels"]
    assert runs["accuracy"].between(0, 1).all()
    capsys.readouterr()
    runs.loc[0, "accuracy"] = 0.125  # a marker: a finished run is not repeated
    runs.to_csv(out / "runs.csv", index=False)
    assert cli.main(args + ["--resume"]) == 0
    assert "Resuming: 2 result row(s)" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(out / "runs.csv"), runs)


def test_an_interrupted_resume_keeps_the_rows_of_datasets_ahead(tmp_path, monkeypatch):
    out, args = tmp_path / "results", archive_args(tmp_path)
    assert cli.main(args) == 0
    runs = pd.read_csv(out / "runs.csv")
    runs.loc[1, "accuracy"] = 0.125  # TwoChannels' finished run, a marker
    runs.iloc[1:].to_csv(out / "runs.csv", index=False)  # Toy's run is to be redone
    run = benchmark.run_benchmark

    def interrupted_after_toy(data, methods, **kwargs):
        result = run(data, methods, **kwargs)
        if "Toy" in data:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(benchmark, "run_benchmark", interrupted_after_toy)
    with pytest.raises(KeyboardInterrupt):
        cli.main(args + ["--resume"])
    saved = pd.read_csv(out / "runs.csv")
    assert list(saved["dataset"]) == ["Toy", "TwoChannels"]
    assert saved.loc[1, "accuracy"] == 0.125


def test_datasets_of_a_local_archive_load_one_at_a_time(tmp_path, monkeypatch, capsys):
    archive = local_archive(tmp_path / "archive")
    (archive / "Broken").mkdir()
    (archive / "Broken" / "Broken_TRAIN.tsv").write_text("1\tx\n")
    (archive / "Broken" / "Broken_TEST.tsv").write_text("1\t2\n")
    loaded, held = [], []
    load, run = benchmark.load_datasets, benchmark.run_benchmark

    def spy_load(names, data_dir=None):
        loaded.append((tuple(names), data_dir))
        return load(names, data_dir=data_dir)

    def fake_run(data, methods, **kwargs):
        held.append(list(data))
        return run(data, methods, **kwargs)

    monkeypatch.setattr(benchmark, "load_datasets", spy_load)
    monkeypatch.setattr(benchmark, "run_benchmark", fake_run)
    out = tmp_path / "results"
    assert cli.main(["benchmark", "--data-dir", str(archive), "--datasets", "ALL",
                     "--methods", "none", "--baselines", "1nn", "--no-progress",
                     "--output", str(out)]) == 0
    assert [names for names, _ in loaded] == [("Broken",), ("Toy",), ("TwoChannels",)]
    assert held == [["Toy"], ["TwoChannels"]]
    err = capsys.readouterr().err
    assert "Skipping Broken: it could not be loaded." in err and "'x' is not a number" in err
    assert list(pd.read_csv(out / "runs.csv")["dataset"]) == ["Toy", "TwoChannels"]


def test_local_archive_names_and_errors(tmp_path, monkeypatch, capsys):
    archive = local_archive(tmp_path / "archive")
    captured = {}

    def fake_load(names, data_dir=None):
        captured.update(names=names, data_dir=data_dir)
        raise SystemExit(0)

    monkeypatch.setattr(benchmark, "load_datasets", fake_load)
    with pytest.raises(SystemExit):
        cli.main(["benchmark", "--data-dir", str(archive), "--datasets", "twochannels"])
    assert captured == {"names": ["TwoChannels"], "data_dir": str(archive)}
    for args, message in [
        (["--datasets", "all"], "--datasets all needs --data-dir"),
        (["--data-dir", str(archive), "--datasets", "Toi"],
         "No dataset folder 'Toi' in .*Did you mean 'Toy'"),
        (["--data-dir", str(archive), "--datasets", "GunPoint"], "No dataset folder"),
        (["--data-dir", str(tmp_path / "nowhere")], "--data-dir: .* is not a folder"),
        (["--data-dir", str(tmp_path / "archive" / "Toy")], "--data-dir: no dataset in"),
    ]:
        with pytest.raises(SystemExit) as info:
            cli.main(["benchmark", *args])
        assert info.value.code == 2
        assert re.search(message, capsys.readouterr().err), args


def test_max_epochs_help_says_it_is_for_tests_only(capsys):
    with pytest.raises(SystemExit):
        cli.main(["benchmark", "--help"])
    assert "only for tests and smoke runs" in " ".join(capsys.readouterr().out.split())


def test_dataset_names_are_case_insensitive(monkeypatch):
    captured = {}

    def fake_load(names):
        captured["names"] = names
        raise SystemExit(0)

    monkeypatch.setattr(benchmark, "load_datasets", fake_load)
    with pytest.raises(SystemExit):
        cli.main(["benchmark", "--datasets", "gunpoint,ITALYPOWERDEMAND"])
    assert captured["names"] == ("GunPoint", "ItalyPowerDemand")


def test_baselines_only(tmp_path, capsys):
    out = tmp_path / "results"
    assert cli.main(["benchmark", "--datasets", "ItalyPowerDemand", "--methods", "none",
                     "--baselines", "1nn,random_encoder", "--no-progress",
                     "--output", str(out)]) == 0
    summary = pd.read_csv(out / "results.csv")
    assert list(summary["method"]) == ["1-NN (raw)", "Random encoder"]


def test_version_and_list(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"sslts {__version__}"
    assert cli.main(["benchmark", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "methods:   simclr, barlowtwins, vicreg" in listing
    assert "probes:    svm, logistic, knn" in listing and "GunPoint" in listing


def test_help_imports_neither_torch_nor_scikit_learn():
    code = ("import sys; from sslts import cli\n"
            "try:\n    cli.main(['benchmark', '--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = ('torch', 'sklearn', 'sktime', 'skorch')\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "sslts.cli", "benchmark", "--help"],
                            capture_output=True, text=True, check=True)
    assert "--max-epochs" in result.stdout
