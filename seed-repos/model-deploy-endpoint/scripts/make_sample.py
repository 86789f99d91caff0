"""Make data/abalone-sample.csv, the small committed sample the tests train on.

Usage:  python scripts/make_sample.py [SOURCE] [--rows 300] [--seed 11]

SOURCE is the headerless UCI ``abalone.data``. The sample keeps every sex in proportion,
is drawn with a fixed seed and keeps the source order, so running the script again
gives the same file. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

COLUMNS = ("sex", "length", "diameter", "height", "whole_weight", "shucked_weight",
           "viscera_weight", "shell_weight", "rings")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "data" / "abalone-sample.csv"


class SampleError(ValueError):
    """The source cannot give the requested sample; the message says where and why."""


def read_rows(path: Path) -> list[list[str]]:
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            if not row:
                continue
            if len(row) != len(COLUMNS) or row[0] not in ("F", "I", "M"):
                raise SampleError(f"{path}:{line_no}: expected {len(COLUMNS)} columns starting with sex F/I/M")
            try:
                [float(value) for value in row[1:]]
            except ValueError:
                raise SampleError(f"{path}:{line_no}: non-numeric measurement") from None
            rows.append(row)
    if not rows:
        raise SampleError(f"{path}: no data rows")
    return rows


def stratified_sample(rows: list[list[str]], size: int, seed: int) -> list[list[str]]:
    if not 1 <= size <= len(rows):
        raise SampleError(f"--rows must be between 1 and {len(rows)}, got {size}")
    rng = random.Random(seed)
    by_sex: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_sex.setdefault(row[0], []).append(index)
    chosen: list[int] = []
    remaining = size
    for position, sex in enumerate(sorted(by_sex)):
        indices = by_sex[sex]
        last = position == len(by_sex) - 1
        take = remaining if last else round(size * len(indices) / len(rows))
        chosen.extend(rng.sample(indices, take))
        remaining -= take
    return [rows[i] for i in sorted(chosen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="UCI abalone.data (no header)")
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"source {args.source} is not a file")
    try:
        sample = stratified_sample(read_rows(args.source), args.rows, args.seed)
    except SampleError as exc:
        parser.exit(2, f"make_sample: {exc}\n")
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(sample)
    print(f"wrote {len(sample)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
