"""Benchmark the inference handler against raw xgboost and a seed-style handler.

Usage:  python benchmark/benchmark.py [--data data/abalone-sample.csv] [--skip-size]

Trains a model from --data (scripts/train_local_model.py), then measures in one run:

* warm p50 latency of a one-record request: handler vs raw ``Booster.inplace_predict``
  on the same model and row, and vs the seed-style handler (benchmark/seed_style_handler.py:
  pandas DataFrame + DMatrix, model.tar.gz extracted into /tmp at init);
* warm time of a 1,000-record request: handler vs raw inplace_predict;
* init time (imports + model load) in fresh subprocesses: handler vs seed-style.
  The handler runs with pandas hidden, as in its image, where pandas is not installed;
  both run with bytecode cached (compiled by a first, unmeasured run), as in an image;
* installed size of the dependencies (``pip install --target``): requirements.txt vs
  xgboost + pandas. Needs PyPI; --skip-size leaves it out.

Prints a table and PASS/FAIL per target; exits 1 if any target fails.
Measurements are interleaved round by round, so load from other processes
affects every contender alike.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARK_DIR = os.path.join(SERVICE_DIR, "benchmark")
sys.path[:0] = [SERVICE_DIR, os.path.join(SERVICE_DIR, "scripts"), BENCHMARK_DIR]

import numpy as np  # noqa: E402
import xgboost  # noqa: E402

import train_local_model  # noqa: E402

BATCH_SIZE = 1000
SEED_STYLE_REQUIREMENTS = [f"xgboost=={xgboost.__version__}", "pandas==2.3.3"]
HANDLER_INIT = "import sys; sys.modules['pandas'] = None; import app.handler"  # None: "not installed"
SEED_INIT = "import seed_style_handler"


def api_event(instances: list[dict]) -> dict:
    return {"version": "2.0", "rawPath": "/predict", "headers": {"content-type": "application/json"},
            "requestContext": {"http": {"method": "POST", "path": "/predict"}, "requestId": "bench", "stage": "$default"},
            "body": json.dumps({"instances": instances}), "isBase64Encoded": False}


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


def interleaved(contenders: dict, rounds: int) -> dict[str, list[float]]:
    """Per-call seconds for each contender, alternating contenders every round.

    ``contenders`` maps a name to (callable, args, calls per round).
    """
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (call, args, per_round) in contenders.items():
            samples[name].extend(timed(call, *args) for _ in range(per_round))
    return samples


def init_seconds(code: str, env: dict[str, str], repeats: int, bytecode_dir: str) -> float:
    """Median wall time of imports + model load, each in a fresh interpreter.

    Bytecode goes to ``bytecode_dir`` (even when the caller's shell sets PYTHONDONTWRITEBYTECODE):
    an image compiles it at build time, so a cold start never pays for compiling.
    """
    program = f"import time; _start = time.perf_counter(); {code}; print(time.perf_counter() - _start)"
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = bytecode_dir
    runs = []
    for _ in range(repeats + 1):  # the first run compiles the bytecode and warms the file cache
        result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
        runs.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(runs[1:])


def installed_megabytes(requirements: list[str], workdir: str, name: str) -> float:
    target = os.path.join(workdir, f"site-{name}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                    "--only-binary=:all:", "--target", target, *requirements], check=True)
    total = 0
    for root, _dirs, files in os.walk(target):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if not os.path.islink(os.path.join(root, f)))
    return total / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=train_local_model.DEFAULT_DATA, help="headed CSV to train on and take rows from")
    parser.add_argument("--skip-size", action="store_true", help="skip the dependency size comparison (needs PyPI)")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds per latency measurement")
    parser.add_argument("--init-repeats", type=int, default=5, help="fresh processes per init measurement")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.data):
        parser.error(f"--data {args.data} is not a file")
    if args.rounds < 1 or args.init_repeats < 1:
        parser.error("--rounds and --init-repeats must be at least 1")

    with tempfile.TemporaryDirectory(prefix="svc-bench-") as workdir:
        model_dir, tar_path = build_model(args.data, workdir)
        os.environ["SEED_MODEL_TAR"] = tar_path
        os.environ["MODEL_DIR"] = model_dir

        from app.config import load_settings
        from app.jsonlog import JsonLogger
        from app.model import load_model
        from app.service import Service
        import seed_style_handler

        settings = load_settings()
        service = Service(settings, load_model(model_dir, settings.xgboost_nthread), JsonLogger(io.StringIO()))
        service.logger = JsonLogger(open(os.devnull, "w"))  # keep the cost of logging, not of a terminal
        raw = xgboost.Booster(model_file=os.path.join(model_dir, "xgboost-model.json"))
        raw.set_param({"nthread": settings.xgboost_nthread})

        records = [{k: v for k, v in r.items() if k != "rings"} for r in train_local_model.read_records(args.data)]
        batch = (records * (BATCH_SIZE // len(records) + 1))[:BATCH_SIZE]
        transform = json.load(open(os.path.join(model_dir, "transform.json")))
        raw_one = train_local_model.training_features(batch[:1], transform)
        raw_batch = train_local_model.training_features(batch, transform)
        one_event, batch_event = api_event(batch[:1]), api_event(batch)

        # The three must agree before their speed means anything.
        served = np.array(json.loads(service.handle(batch_event, Context())["body"])["predictions"], dtype=np.float32)
        seeded = np.array(json.loads(seed_style_handler.handler(batch_event, None)["body"])["predictions"], dtype=np.float32)
        np.testing.assert_array_equal(served, raw.inplace_predict(raw_batch))
        np.testing.assert_allclose(seeded, served, rtol=1e-5)

        single = interleaved({"handler": (service.handle, (one_event, Context()), 100),
                              "raw": (raw.inplace_predict, (raw_one,), 100),
                              "seed": (seed_style_handler.handler, (one_event, None), 5)}, args.rounds)
        batched = interleaved({"handler": (service.handle, (batch_event, Context()), 5),
                               "raw": (raw.inplace_predict, (raw_batch,), 5),
                               # not a contender: the share of the request that is only parsing its JSON text
                               "json": (json.loads, (batch_event["body"],), 5)}, args.rounds)
        p50 = {name: statistics.median(values) for name, values in single.items()}
        batch_p50 = {name: statistics.median(values) for name, values in batched.items()}

        base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        bytecode_dir = os.path.join(workdir, "bytecode")
        handler_init = init_seconds(HANDLER_INIT, dict(base_env, PYTHONPATH=SERVICE_DIR), args.init_repeats, bytecode_dir)
        seed_init = init_seconds(SEED_INIT, dict(base_env, PYTHONPATH=BENCHMARK_DIR), args.init_repeats, bytecode_dir)

        rows = [
            ("1-record warm p50 (ms)", "handler vs raw inplace_predict", p50["handler"] * 1e3, p50["raw"] * 1e3,
             p50["handler"] / p50["raw"], "<= 1.5", p50["handler"] / p50["raw"] <= 1.5),
            ("1-record warm p50 (ms)", "handler vs seed-style", p50["handler"] * 1e3, p50["seed"] * 1e3,
             p50["seed"] / p50["handler"], ">= 5x faster", p50["seed"] / p50["handler"] >= 5),
            (f"{BATCH_SIZE}-record request (ms)", "handler vs raw inplace_predict", batch_p50["handler"] * 1e3,
             batch_p50["raw"] * 1e3, batch_p50["handler"] / batch_p50["raw"], "<= 1.5",
             batch_p50["handler"] / batch_p50["raw"] <= 1.5),
            ("init: imports + model load (ms)", "handler vs seed-style", handler_init * 1e3, seed_init * 1e3,
             handler_init / seed_init, "<= 0.333", handler_init / seed_init <= 1 / 3),
        ]
        if not args.skip_size:
            with open(os.path.join(SERVICE_DIR, "requirements.txt")) as handle:
                ours = [line.split("#")[0].strip() for line in handle if line.split("#")[0].strip()]
            handler_mb = installed_megabytes(ours, workdir, "handler")
            seed_mb = installed_megabytes(SEED_STYLE_REQUIREMENTS, workdir, "seed")
            rows.append(("installed dependencies (MB)", "requirements.txt vs xgboost+pandas", handler_mb, seed_mb,
                         handler_mb / seed_mb, "<= 0.25", handler_mb / seed_mb <= 0.25))

    print(f"xgboost {xgboost.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}, "
          f"nthread {settings.xgboost_nthread}, {args.rounds} rounds, {args.init_repeats} init repeats")
    header = ("measure", "comparison", "ours", "other", "ratio", "target", "result")
    table = [header] + [(m, c, f"{a:.3f}", f"{b:.3f}", f"{r:.3f}", t, "PASS" if ok else "FAIL") for m, c, a, b, r, t, ok in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    print(f"of the {BATCH_SIZE}-record request, stdlib json.loads of its body alone takes {batch_p50['json'] * 1e3:.3f} ms "
          f"({batch_p50['json'] / batch_p50['raw']:.2f}x raw inplace_predict)")
    if args.skip_size:
        print("installed dependency size: skipped (--skip-size)")
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
