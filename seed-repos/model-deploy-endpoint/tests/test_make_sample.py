import csv

import pytest

import local_model
import make_sample
import model_artifact

COLUMNS = ["kind", "a", "b", "target"]


def write_source(path, n=90, header=False):
    rows = [[("F", "I", "M")[i % 3], f"0.{i % 9 + 1}", f"0.{i % 7 + 1}", str(i % 20 + 1)] for i in range(n)]
    path.write_text("\n".join(",".join(r) for r in ([COLUMNS] if header else []) + rows) + "\n")


def test_the_sample_is_deterministic_stratified_and_has_a_header(tmp_path):
    write_source(tmp_path / "source.data")
    for name in ("a.csv", "b.csv"):
        assert make_sample.main([str(tmp_path / "source.data"), "--columns", ",".join(COLUMNS), "--stratify-by", "kind",
                                 "--rows", "30", "--output", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    rows = list(csv.reader((tmp_path / "a.csv").open()))
    assert rows[0] == COLUMNS and len(rows) == 31
    assert [r[0] for r in rows[1:]].count("F") == 10


def test_a_source_with_a_header_keeps_its_columns_without_naming_them(tmp_path):
    write_source(tmp_path / "source.csv", header=True)
    assert make_sample.main([str(tmp_path / "source.csv"), "--rows", "20", "--output", str(tmp_path / "o.csv")]) == 0
    rows = list(csv.reader((tmp_path / "o.csv").open()))
    assert rows[0] == COLUMNS and len(rows) == 21


@pytest.mark.parametrize("content, arguments, message", [
    ("X,1,2\n", ["--columns", ",".join(COLUMNS)], "source.data:1: expected 4 columns (kind, a, b, target), got 3"),
    ("F,1,2,many\n", ["--columns", ",".join(COLUMNS)], "source.data:1: the target 'target' (last column) must be a number"),
    ("F,1,2,3\n", ["--columns", ",".join(COLUMNS), "--stratify-by", "colour"], "--stratify-by 'colour' is not a column"),
    ("", [], "empty (expected a header row, or pass --columns)"),
])
def test_a_malformed_source_is_named_in_one_line(tmp_path, capsys, content, arguments, message):
    (tmp_path / "source.data").write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        make_sample.main([str(tmp_path / "source.data"), *arguments, "--output", str(tmp_path / "o.csv")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("make_sample: ") and message in err and err.count("\n") == 1


def test_the_committed_sample_trains_the_local_model_with_every_column_of_its_header():
    rows, target, categorical = local_model.read_sample(model_artifact.SAMPLE_CSV)
    header = next(csv.reader(model_artifact.SAMPLE_CSV.open()))
    assert len(rows) == 300 and target == header[-1]
    transform = local_model.fit_transform(rows, target, categorical)
    assert transform["input_fields"] == header[:-1]
    # Every category of the sample appears in the examples, which the tests send as good requests.
    for field in categorical:
        assert {e[field] for e in transform["examples"]} == {r[field] for r in rows}
