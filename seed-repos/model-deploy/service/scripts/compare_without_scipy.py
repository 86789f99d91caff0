"""Show that serving never needs scipy: the handler's predictions with and without it installed are bit-identical.

Usage:  python scripts/compare_without_scipy.py [--data FILE] [--model-dir DIR]
                                                [--with-site DIR --without-site DIR [--python PYTHON]]

xgboost-cpu declares scipy as a dependency, and xgboost's Python package
imports it, but the handler never imports that package: it calls xgboost's
library directly (app/xgboost_c_api.py). So the image installs xgboost-cpu
with ``--no-deps`` and leaves scipy (112 MB) out. This script is the evidence:
it trains a model (scripts/train_local_model.py) unless --model-dir is given,
then runs every row of --data through the handler (``text/csv``) in two fresh
interpreters, one where scipy can be imported and one where it cannot, checks
that the handler loaded neither scipy nor xgboost's Python package in either,
and compares the float32 predictions bit for bit with each other and with
xgboost's own ``inplace_predict`` (in the run with scipy). --data is a headed
CSV (such as the sample; its model input columns are picked by name) or a
headerless one whose rows start with the model's input fields in order (such
as the UCI ``abalone.data``, label last). The input fields come from the
model's transform.json.

Without --with-site/--without-site, both runs use this interpreter's packages
and the run "without" blocks every scipy import. With them, each run puts its
own ``pip install --target`` directory first on sys.path (e.g. one made with
``pip install --no-deps -r requirements.txt --target DIR``), which is what
the image holds. Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, sys
if os.environ["COMPARE_BLOCK_SCIPY"] == "1":
    sys.modules["scipy"] = None  # None in sys.modules: every "import scipy..." raises ImportError
sys.path[:0] = [p for p in os.environ["COMPARE_SITE"].split(os.pathsep) if p] + [os.environ["COMPARE_SERVICE_DIR"]]
import numpy as np
from app.config import load_settings
from app.jsonlog import JsonLogger
from app.model import load_model
from app.service import Service
import io
rows = open(os.environ["COMPARE_ROWS"]).read().splitlines()
settings = load_settings({"MODEL_DIR": os.environ["COMPARE_MODEL_DIR"], "MAX_RECORDS": "100000", "MAX_BODY_BYTES": "6000000"})
service = Service(settings, load_model(settings.model_dir), JsonLogger(io.StringIO()))
event = {"version": "2.0", "rawPath": "/predict", "headers": {"content-type": "text/csv"},
         "requestContext": {"http": {"method": "POST", "path": "/predict"}, "requestId": "compare"},
         "body": "\n".join(rows), "isBase64Encoded": False}
response = service.handle(event, None)
assert response["statusCode"] == 200, response["body"][:500]
served = np.array(json.loads(response["body"])["predictions"], dtype=np.float32)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("scipy", "xgboost") and sys.modules[m] is not None)
try:
    import scipy  # noqa: F401
    scipy_importable = True
except ImportError:
    scipy_importable = False
raw = None
if scipy_importable:  # xgboost's Python package needs scipy (xgboost.core imports scipy.sparse); the handler does not
    import xgboost
    booster = xgboost.Booster(model_file=os.path.join(settings.model_dir, "xgboost-model.json"))
    booster.set_param({"nthread": settings.xgboost_nthread})
    raw = booster.inplace_predict(service.csv.features(event["body"])).astype(np.float32).tobytes().hex()
print(json.dumps({"scipy_importable": scipy_importable, "loaded_by_handler": loaded,
                  "served": served.tobytes().hex(), "raw": raw, "rows": len(rows)}))
"""


def input_rows(path: str, input_fields: list[str]) -> list[str]:
    """Rows as CSV request lines: the model's input fields, in its order, from a headed or headerless CSV."""
    with open(path) as handle:
        lines = [line.split(",") for line in handle.read().splitlines() if line]
    if lines and set(input_fields) <= set(lines[0]):
        positions = [lines[0].index(field) for field in input_fields]
        lines = lines[1:]
    else:
        positions = list(range(len(input_fields)))
    for number, cells in enumerate(lines, start=1):
        if len(cells) < len(positions):
            raise SystemExit(f"{path}: row {number} has {len(cells)} values; the model's input fields are {input_fields}")
    return [",".join(cells[i] for i in positions) for cells in lines]


def run(python: str, site: str, block_scipy: bool, model_dir: str, rows_path: str) -> dict:
    env = dict(os.environ, COMPARE_SITE=site, COMPARE_BLOCK_SCIPY="1" if block_scipy else "0", COMPARE_MODEL_DIR=model_dir,
               COMPARE_ROWS=rows_path, COMPARE_SERVICE_DIR=SERVICE_DIR, PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    # -S: without the interpreter's own site-packages, so the --target directory is all there is.
    command = [python, "-S", "-c", CHILD] if site else [python, "-c", CHILD]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"the run {'without' if block_scipy or site else 'with'} scipy failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(SERVICE_DIR, "data", "abalone-sample.csv"))
    parser.add_argument("--model-dir", help="a model artifact directory; default: train one from the sample")
    parser.add_argument("--with-site", default="", help="pip --target directory that includes scipy")
    parser.add_argument("--without-site", default="", help="pip --target directory without scipy")
    parser.add_argument("--python", default=sys.executable, help="interpreter for both runs (the image's Python version)")
    args = parser.parse_args(argv)
    if bool(args.with_site) != bool(args.without_site):
        parser.error("give both --with-site and --without-site, or neither")
    with tempfile.TemporaryDirectory(prefix="no-scipy-") as workdir:
        model_dir = args.model_dir
        if model_dir is None:
            sys.path.insert(0, os.path.join(SERVICE_DIR, "scripts"))
            import train_local_model
            model_dir = os.path.join(workdir, "model")
            train_local_model.train_model_dir(train_local_model.DEFAULT_DATA, model_dir)
        with open(os.path.join(model_dir, "transform.json")) as handle:
            rows = input_rows(args.data, json.load(handle)["input_fields"])
        rows_path = os.path.join(workdir, "rows.csv")
        with open(rows_path, "w") as handle:
            handle.write("\n".join(rows))
        with_scipy = run(args.python, args.with_site, False, model_dir, rows_path)
        without = run(args.python, args.without_site, not args.without_site, model_dir, rows_path)
    problems = []
    if not with_scipy["scipy_importable"]:
        problems.append("the run 'with scipy' could not import scipy")
    if without["scipy_importable"]:
        problems.append("the run 'without scipy' could import it")
    for run_name, outcome in (("with", with_scipy), ("without", without)):
        if outcome["loaded_by_handler"]:
            problems.append(f"the handler loaded {outcome['loaded_by_handler']} in the run {run_name} scipy")
    if with_scipy["served"] != without["served"]:
        problems.append("the handler's predictions differ with and without scipy")
    if with_scipy["served"] != with_scipy["raw"]:
        problems.append("the handler's predictions differ from xgboost's inplace_predict")
    print(f"{len(rows)} rows from {args.data}: the handler's predictions, with and without scipy, and xgboost's "
          + ("inplace_predict are bit-identical" if not problems else "inplace_predict DIFFER"))
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
