"""scripts/make_sample.py writes a reproducible, headed, stratified sample and rejects bad arguments clearly."""

from __future__ import annotations

import csv
import random

import pytest

import make_sample

HEADER = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight", "rings"]


@pytest.fixture
def source(tmp_path):
    """A small headerless file in the UCI format: 60 M, 30 F, 10 I."""
    rng = random.Random(0)
    path = tmp_path / "abalone.data"
    lines = []
    for sex, count in (("M", 60), ("F", 30), ("I", 10)):
        for _ in range(count):
            values = [f"{rng.uniform(0.1, 0.8):.3f}" for _ in range(7)]
            lines.append(",".join([sex] + values + [str(rng.randint(1, 29))]))
    rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*args: str) -> int:
    return make_sample.main(list(args))


def test_sample_has_header_requested_size_and_proportional_sexes(source, tmp_path):
    out = tmp_path / "sample.csv"

    assert _run(str(source), "--rows", "20", "--output", str(out)) == 0

    rows = list(csv.reader(out.open()))
    assert rows[0] == HEADER
    assert len(rows) == 21
    assert sorted(r[0] for r in rows[1:]) == ["F"] * 6 + ["I"] * 2 + ["M"] * 12


def test_same_seed_gives_the_same_file(source, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    _run(str(source), "--rows", "20", "--output", str(first))
    _run(str(source), "--rows", "20", "--output", str(second))

    assert first.read_text() == second.read_text()


@pytest.mark.parametrize("args, message", [
    (["--rows", "0"], "--rows must be at least 1"),
    (["--rows", "101"], "more than the 100 rows"),
    (["--rows", "ten"], "invalid int value"),
    (["--output", "/nonexistent-dir/sample.csv"], "does not exist"),
])
def test_bad_arguments_exit_with_a_message(source, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        _run(str(source), *args)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_source_exits_with_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run(str(tmp_path / "absent.data"))

    assert "is not a file" in capsys.readouterr().err


def test_source_with_a_header_or_bad_rows_is_rejected_with_its_line_number(tmp_path, capsys):
    bad = tmp_path / "bad.data"
    bad.write_text("M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n" + ",".join(HEADER) + "\n")

    with pytest.raises(SystemExit):
        _run(str(bad))

    assert "bad.data:2" in capsys.readouterr().err


def test_committed_sample_has_the_header_and_500_rows():
    with open(make_sample.DEFAULT_OUTPUT) as handle:
        rows = list(csv.reader(handle))

    assert rows[0] == HEADER
    assert len(rows) == 501


def test_the_source_file_must_be_named_since_the_repo_does_not_ship_it(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run("--rows", "20")
    assert exit_info.value.code == 2
    assert "source" in capsys.readouterr().err
