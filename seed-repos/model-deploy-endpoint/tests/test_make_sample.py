import csv

import pytest

import make_sample
from conftest import SAMPLE_CSV


def write_source(path, n=90):
    rows = [[("F", "I", "M")[i % 3], *[f"0.{i % 9 + 1}"] * 7, str(i % 20 + 1)] for i in range(n)]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")


def test_the_sample_is_deterministic_stratified_and_has_a_header(tmp_path):
    write_source(tmp_path / "abalone.data")
    for name in ("a.csv", "b.csv"):
        assert make_sample.main([str(tmp_path / "abalone.data"), "--rows", "30", "--output", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    rows = list(csv.reader((tmp_path / "a.csv").open()))
    assert tuple(rows[0]) == make_sample.COLUMNS and len(rows) == 31
    assert sorted(r[0] for r in rows[1:]).count("F") == 10


def test_a_malformed_source_is_named(tmp_path):
    (tmp_path / "bad.data").write_text("X,1,2\n")
    with pytest.raises(SystemExit) as exit_info:
        make_sample.main([str(tmp_path / "bad.data"), "--output", str(tmp_path / "o.csv")])
    assert exit_info.value.code == 2


def test_the_committed_sample_has_300_rows_of_every_sex():
    rows = list(csv.DictReader(SAMPLE_CSV.open()))
    assert len(rows) == 300 and {r["sex"] for r in rows} == {"F", "I", "M"}
