"""Make data/abalone-sample.csv from the UCI Abalone data file.

Usage:  python scripts/make_sample.py SOURCE [--rows 500] [--seed 7]

SOURCE is the UCI Abalone data file abalone.data (headerless; https://archive.ics.uci.edu/dataset/1/abalone).
This repository does not ship it, so it must be given. The sample is stratified by sex (proportional
allocation), drawn with a fixed seed, and keeps the source order, so running
the script again gives the same file. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys

COLUMNS = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight",
           "viscera_weight", "shell_weight", "rings"]
HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_DIR = os.path.dirname(HERE)
DEFAULT_OUTPUT = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")


class SampleError(ValueError):
    """The source data or the arguments cannot give the requested sample."""


def read_rows(path: str) -> list[list[str]]:
    """The headerless UCI rows; a header, wrong column count or unknown sex is an error."""
    rows = []
    with open(path, newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle), start=1):
            if not row:
                continue
            if len(row) != len(COLUMNS) or row[0] not in ("M", "F", "I"):
                raise SampleError(f"{path}:{line_no}: expected {len(COLUMNS)} columns starting with sex M/F/I, got {row!r}")
            try:
                [float(value) for value in row[1:]]
            except ValueError:
                raise SampleError(f"{path}:{line_no}: non-numeric measurement in {row!r}") from None
            rows.append(row)
    if not rows:
        raise SampleError(f"{path}: no data rows")
    return rows


def stratified_sample(rows: list[list[str]], size: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    by_sex: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_sex.setdefault(row[0], []).append(i)
    chosen: list[int] = []
    groups = sorted(by_sex)
    remaining = size
    for k, sex in enumerate(groups):
        indices = by_sex[sex]
        take = remaining if k == len(groups) - 1 else round(size * len(indices) / len(rows))
        chosen.extend(rng.sample(indices, take))
        remaining -= take
    return [rows[i] for i in sorted(chosen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="the UCI abalone.data file (no header)")
    parser.add_argument("--rows", type=int, default=500, help="sample size (default 500)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV to write (default data/abalone-sample.csv)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.source):
        parser.error(f"source {args.source} is not a file (pass the path to abalone.data)")
    if args.rows < 1:
        parser.error(f"--rows must be at least 1, got {args.rows}")
    output_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(output_dir):
        parser.error(f"--output directory {output_dir} does not exist")
    try:
        rows = read_rows(args.source)
    except SampleError as exc:
        parser.error(str(exc))
    if args.rows > len(rows):
        parser.error(f"--rows {args.rows} is more than the {len(rows)} rows in {args.source}")
    sample = stratified_sample(rows, args.rows, args.seed)
    with open(args.output, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(sample)
    print(f"wrote {len(sample)} of {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
