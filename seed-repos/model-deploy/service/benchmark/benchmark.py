"""Benchmark the inference handler against raw xgboost and two pandas handlers, per request format.

Usage:  python benchmark/benchmark.py [--data data/abalone-sample.csv] [--skip-size]
                                      [--rounds 20] [--repeats 5] [--init-repeats 11]

Trains a model from --data (scripts/train_local_model.py), then measures in one run, on the
same model and rows, every contender interleaved round by round (so load from other processes
on the machine affects all alike):

* a 1-record request, warm p50: the handler (``app.handler.handler`` after its own init, JSON
  records) vs raw ``Booster.inplace_predict`` on the already-built float32 features
  (``validate_features=False``, its cheapest call; same thread count and dtype, checked);
* a 1,000-record request, warm p50, in each format: JSON records, columnar JSON
  (``application/json; format=pandas-split``) and CSV (``text/csv``), each vs raw
  inplace_predict; ``orjson.loads`` of the records body, of the columnar body and of the CSV
  body's numbers as one JSON array, each + raw inplace_predict, are printed too: the floors for
  any handler that parses those bodies into Python objects;
* the 1-record and 1,000-record requests against the C call inplace_predict makes
  (``XGBoosterPredictFromDense``), made as the handler makes it (app/xgboost_c_api.py), for reference:
  what the handler adds around the model itself;
* the same requests through two pandas baselines, for reference: the naive seed-style handler
  (benchmark/seed_style_handler.py: per-column pandas transform, DMatrix, model.tar.gz
  extracted into /tmp at init, as in the AWS samples) and a competent one
  (benchmark/pandas_handler.py: one vectorised transform, DMatrix, no validation);
* init (imports + model load) in fresh interpreters, handler and seed-style alternating:
  the handler with pandas and scipy hidden, as in its image where neither is installed; both
  with bytecode cached (compiled by a first, unmeasured run each), as in an image;
* the runtime dependencies' installed size: ``pip install --target --no-compile --no-deps
  --require-hashes -r requirements.txt`` for the image's platform (CPython 3.12, Linux
  x86_64). Needs PyPI; --skip-size leaves it out (and the run then cannot pass).

The latency measurements run --repeats times; the table shows the median ratio, its spread
(lowest-highest) and the load average before and after, so a miss under load from other processes
can be told from a real one. Prints a table with PASS/FAIL per target (on the median) and exits 1
naming every missed target.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

# The pandas baselines call xgboost with its default thread count; idle OpenMP threads then spin
# (busy-wait) for a while after each call and would steal the CPU from the next contender's timed
# call. Passive waiting keeps contenders independent. Must be set before xgboost loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARK_DIR = os.path.join(SERVICE_DIR, "benchmark")
sys.path[:0] = [SERVICE_DIR, os.path.join(SERVICE_DIR, "scripts"), BENCHMARK_DIR]

import numpy as np  # noqa: E402
import orjson  # noqa: E402
import xgboost  # noqa: E402

import train_local_model  # noqa: E402

BATCH_SIZE = 1000
# None in sys.modules: "not installed", as in the image.
HANDLER_INIT = "import sys; sys.modules['pandas'] = None; sys.modules['scipy'] = None; import app.handler"
SEED_INIT = "import seed_style_handler"
IMAGE_PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--platform", "manylinux2014_x86_64",
                  "--python-version", "3.12", "--implementation", "cp", "--abi", "cp312"]
TARGETS = {  # measure -> (comparison, limit): the ratio must be <= limit
    "one": ("handler (records) / raw inplace_predict", 1.2),
    "records": ("handler (records) / raw inplace_predict", 3.0),
    "columnar": ("handler (columnar) / raw inplace_predict", 1.8),
    "csv": ("handler (csv) / raw inplace_predict", 1.8),
    "init": ("handler / seed-style", 0.20),
    "size": ("installed MB / 80 MB", 1.0),
}


def api_event(body: str, content_type: str) -> dict:
    return {"version": "2.0", "rawPath": "/predict", "headers": {"content-type": content_type},
            "requestContext": {"http": {"method": "POST", "path": "/predict"}, "requestId": "bench", "stage": "$default"},
            "body": body, "isBase64Encoded": False}


def events_for(records: list[dict], fields: list[str]) -> dict[str, dict]:
    return {
        "records": api_event(json.dumps({"instances": records}), "application/json"),
        "columnar": api_event(json.dumps({"columns": fields, "data": [[r[f] for f in fields] for r in records]}),
                              "application/json; format=pandas-split"),
        "csv": api_event("".join(",".join(str(r[f]) for f in fields) + "\n" for r in records), "text/csv"),
    }


class Context:
    aws_request_id = "bench"


def build_model(data_path: str, workdir: str) -> tuple[str, str]:
    """Train into workdir/model and pack the same files as model.tar.gz; return both paths."""
    model_dir = os.path.join(workdir, "model")
    train_local_model.train_model_dir(data_path, model_dir)
    tar_path = os.path.join(workdir, "model.tar.gz")
    with tarfile.open(tar_path, "w:gz") as archive:
        for name in sorted(os.listdir(model_dir)):
            archive.add(os.path.join(model_dir, name), arcname=name)
    return model_dir, tar_path


def timed(call, *args) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def interleaved(contenders: dict, rounds: int) -> dict[str, float]:
    """Median seconds per call of each contender, alternating contenders every round.

    ``contenders`` maps a name to (callable, args, calls per round).
    """
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (call, args, per_round) in contenders.items():
            samples[name].extend(timed(call, *args) for _ in range(per_round))
    return {name: statistics.median(values) for name, values in samples.items()}


def init_seconds(programs: dict[str, tuple[str, dict[str, str]]], repeats: int, bytecode_dir: str) -> dict[str, list[float]]:
    """Wall times of imports + model load per program, each run in a fresh interpreter, programs alternating.

    Bytecode goes to ``bytecode_dir`` (even when the caller's shell sets PYTHONDONTWRITEBYTECODE):
    an image compiles it at build time, so a cold start never pays for compiling.
    """
    runs: dict[str, list[float]] = {name: [] for name in programs}
    for attempt in range(repeats + 1):  # the first round compiles the bytecode and warms the file cache
        for name, (code, env) in programs.items():
            program = f"import time; _start = time.perf_counter(); {code}; print(time.perf_counter() - _start)"
            env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = bytecode_dir
            result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
            if attempt:
                runs[name].append(float(result.stdout.strip().splitlines()[-1]))
    return runs


def compared_init(runs: dict[str, list[float]]) -> tuple[float, float, float, float, float]:
    """(handler ms, seed-style ms, ratio of the medians, lowest and highest ratio of the runs paired in order)."""
    pairs = [h / s for h, s in zip(runs["handler"], runs["seed"])]
    handler, seed = statistics.median(runs["handler"]), statistics.median(runs["seed"])
    return handler * 1e3, seed * 1e3, handler / seed, min(pairs), max(pairs)


def xgboost_nthread(config: dict) -> int:
    return int(config["learner"]["generic_param"]["nthread"])


def installed_megabytes(workdir: str) -> float:
    target = os.path.join(workdir, "site-handler")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                    "--only-binary=:all:", "--no-deps", "--require-hashes", *IMAGE_PLATFORM, "--target", target,
                    "-r", os.path.join(SERVICE_DIR, "requirements.txt")], check=True)
    total = 0
    for root, _dirs, files in os.walk(target):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if not os.path.islink(os.path.join(root, f)))
    return total / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=train_local_model.DEFAULT_DATA, help="headed CSV to train on and take rows from")
    parser.add_argument("--skip-size", action="store_true", help="skip the dependency size measurement (needs PyPI)")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds per latency measurement")
    parser.add_argument("--repeats", type=int, default=5, help="latency measurements, each of --rounds rounds; "
                        "the table shows the median ratio and its spread")
    parser.add_argument("--init-repeats", type=int, default=11, help="fresh processes per init measurement")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.data):
        parser.error(f"--data {args.data} is not a file")
    if args.rounds < 1 or args.init_repeats < 1 or args.repeats < 1:
        parser.error("--rounds, --repeats and --init-repeats must be at least 1")
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="svc-bench-") as workdir:
        model_dir, tar_path = build_model(args.data, workdir)
        os.environ["SEED_MODEL_TAR"] = tar_path
        os.environ["MODEL_DIR"] = model_dir

        # The handler exactly as Lambda runs it: the module's init (settings from the environment, model
        # load, gc.freeze) and its entry point; only its log lines go to /dev/null instead of a terminal.
        import app.handler
        from app.jsonlog import JsonLogger
        import pandas_handler
        import seed_style_handler

        service = app.handler.SERVICE
        service.logger = JsonLogger(open(os.devnull, "w"))
        handler = app.handler.handler
        nthread = app.handler.SETTINGS.xgboost_nthread
        raw = xgboost.Booster(model_file=os.path.join(model_dir, "xgboost-model.json"))
        raw.set_param({"nthread": nthread})

        fields = list(service.model.transform.input_fields)
        records = [{k: v for k, v in r.items() if k != "rings"} for r in train_local_model.read_records(args.data)]
        batch = (records * (BATCH_SIZE // len(records) + 1))[:BATCH_SIZE]
        transform = json.load(open(os.path.join(model_dir, "transform.json")))
        raw_one = train_local_model.training_features(batch[:1], transform)
        raw_batch = train_local_model.training_features(batch, transform)
        one = events_for(batch[:1], fields)["records"]
        many = events_for(batch, fields)
        records_body, columnar_body = many["records"]["body"], many["columnar"]["body"]

        def raw_predict(features):
            return raw.inplace_predict(features, validate_features=False)

        # The C call inplace_predict makes, as the handler makes it (app/xgboost_c_api.py), on a booster of its own
        # loaded from the same file: for reference, so that what the handler adds around the model stays visible
        # now that it skips inplace_predict.
        from app import xgboost_c_api
        capi_predict = xgboost_c_api.Booster(os.path.join(model_dir, "xgboost-model.json"), nthread).predict

        def records_floor():
            orjson.loads(records_body)
            return raw_predict(raw_batch)

        def columnar_floor():
            orjson.loads(columnar_body)
            return raw_predict(raw_batch)

        # The CSV body's numbers as one JSON array: the one parse the CSV path cannot avoid.
        numeric_fields = list(service.model.transform.numeric_fields)
        csv_numbers = "[" + ",".join(str(r[f]) for r in batch for f in numeric_fields) + "]"

        def csv_floor():
            orjson.loads(csv_numbers)
            return raw_predict(raw_batch)

        # An honest baseline: raw gets the same features (dtype, layout), the same thread count, the same trees.
        served_features = service.validator.features(orjson.loads(records_body))
        assert served_features.dtype == raw_batch.dtype and served_features.flags.c_contiguous == raw_batch.flags.c_contiguous
        assert xgboost_nthread(json.loads(raw.save_config())) == xgboost_nthread(service.model.booster.config()) == nthread
        # Every contender must give the same predictions before its speed means anything.
        expected = raw_predict(raw_batch)
        for name, event in many.items():
            served = np.array(json.loads(handler(event, Context())["body"])["predictions"], dtype=np.float32)
            np.testing.assert_array_equal(served, expected, err_msg=f"handler ({name})")
        for baseline in (seed_style_handler, pandas_handler):
            got = np.array(json.loads(baseline.handler(many["records"], None)["body"])["predictions"], dtype=np.float32)
            np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=baseline.__name__)

        # In Lambda the process holds only the runtime and the handler's init objects, which app.handler froze;
        # here pandas, the baselines and this script were loaded after it. Freezing them too gives every
        # contender the collector state of a Lambda process, not that of a process hosting pandas.
        gc.freeze()
        single_runs, batched_runs = [], []
        for _ in range(args.repeats):
            single_runs.append(interleaved({"handler": (handler, (one, Context()), 100),
                                            "raw": (raw_predict, (raw_one,), 100),
                                            "capi": (capi_predict, (raw_one,), 100),
                                            "pandas": (pandas_handler.handler, (one, None), 10),
                                            "seed": (seed_style_handler.handler, (one, None), 5)}, args.rounds))
            batched_runs.append(interleaved({"records": (handler, (many["records"], Context()), 5),
                                             "columnar": (handler, (many["columnar"], Context()), 5),
                                             "csv": (handler, (many["csv"], Context()), 5),
                                             "raw": (raw_predict, (raw_batch,), 5),
                                             "capi": (capi_predict, (raw_batch,), 5),
                                             "records_floor": (records_floor, (), 5),
                                             "columnar_floor": (columnar_floor, (), 5),
                                             "csv_floor": (csv_floor, (), 5),
                                             "json_loads": (json.loads, (records_body,), 5),
                                             "pandas": (pandas_handler.handler, (many["records"], None), 5),
                                             "seed": (seed_style_handler.handler, (many["records"], None), 2)}, args.rounds))

        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        init = init_seconds({"handler": (HANDLER_INIT, dict(base_env, PYTHONPATH=SERVICE_DIR)),
                             "seed": (SEED_INIT, dict(base_env, PYTHONPATH=BENCHMARK_DIR))},
                            args.init_repeats, os.path.join(workdir, "bytecode"))
        size_mb = None if args.skip_size else installed_megabytes(workdir)

    def compared(runs: list[dict[str, float]], ours: str, other: str) -> tuple[float, float, float, float, float]:
        """(ours ms, other ms, median ratio, lowest ratio, highest ratio) over the repeats."""
        ratios = [run[ours] / run[other] for run in runs]
        return (statistics.median(run[ours] for run in runs) * 1e3, statistics.median(run[other] for run in runs) * 1e3,
                statistics.median(ratios), min(ratios), max(ratios))

    n = BATCH_SIZE
    rows = [  # (key or None for reference rows, measure, comparison, (ours, other, ratio, low, high))
        ("one", "1 record, warm p50 (ms)", TARGETS["one"][0], compared(single_runs, "handler", "raw")),
        (None, "1 record, warm p50 (ms)", "handler / raw C-API predict", compared(single_runs, "handler", "capi")),
        (None, "1 record, warm p50 (ms)", "competent pandas / handler", compared(single_runs, "pandas", "handler")),
        (None, "1 record, warm p50 (ms)", "seed-style / handler", compared(single_runs, "seed", "handler")),
    ]
    for fmt in ("records", "columnar", "csv"):
        rows.append((fmt, f"{n} records, {fmt} (ms)", TARGETS[fmt][0], compared(batched_runs, fmt, "raw")))
        rows.append((None, f"{n} records, {fmt} (ms)", "handler / raw C-API predict", compared(batched_runs, fmt, "capi")))
    rows += [
        (None, f"{n} records, records (ms)", "handler / (orjson.loads + raw)", compared(batched_runs, "records", "records_floor")),
        (None, f"{n} records, records floor (ms)", "(orjson.loads + raw) / raw", compared(batched_runs, "records_floor", "raw")),
        (None, f"{n} records, columnar floor (ms)", "(orjson.loads + raw) / raw", compared(batched_runs, "columnar_floor", "raw")),
        (None, f"{n} records, csv floor (ms)", "(orjson.loads of its numbers + raw) / raw", compared(batched_runs, "csv_floor", "raw")),
        (None, f"{n} records, records (ms)", "competent pandas / handler", compared(batched_runs, "pandas", "records")),
        (None, f"{n} records, records (ms)", "seed-style / handler", compared(batched_runs, "seed", "records")),
        (None, f"{n} records body, parse only (ms)", "stdlib json.loads / raw", compared(batched_runs, "json_loads", "raw")),
        ("init", "init: imports + model load (ms)", TARGETS["init"][0], compared_init(init)),
    ]
    if size_mb is not None:
        rows.append(("size", "runtime dependencies (MB)", TARGETS["size"][0], (size_mb, 80.0, size_mb / 80.0, size_mb / 80.0, size_mb / 80.0)))

    print(f"xgboost {xgboost.__version__}, numpy {np.__version__}, orjson {orjson.__version__}, python {sys.version.split()[0]}, "
          f"nthread {nthread}, {args.repeats} repeats x {args.rounds} rounds, {args.init_repeats} init repeats per contender, "
          f"load average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after")
    header = ("measure", "comparison", "ours/num", "other/den", "ratio", "spread", "target", "result")
    table = [header]
    missed = []
    for key, measure, comparison, (a, b, ratio, low, high) in rows:
        if key is None:
            target, result = "(reference)", "-"
        else:
            limit = TARGETS[key][1]
            target, ok = f"<= {limit:g}", ratio <= limit
            result = "PASS" if ok else "FAIL"
            if not ok:
                missed.append(f"{measure}: {comparison} is {ratio:.3f} (spread {low:.3f}-{high:.3f}), target <= {limit:g}")
        table.append((measure, comparison, f"{a:.3f}", f"{b:.3f}", f"{ratio:.3f}", f"{low:.3f}-{high:.3f}", target, result))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if size_mb is None:
        missed.append("runtime dependencies: not measured (--skip-size)")
    for line in missed:
        print(f"MISSED {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
