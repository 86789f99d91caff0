"""Fixtures: a model trained on ../shared/data/abalone.data, the direct handler call, and Lambda environments.

This suite lives in the root repo, beside test/parity, not in the ModelDeploy seed: the emulator is a Go
build, and the seed's CodeBuild images (and the data scientist's clone) should not need a Go toolchain to
run the seed's own tests. It imports the seed's code and its malformed-request corpus by path.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = REPO_ROOT / "seed-repos" / "model-deploy" / "service"
STAGE_CONFIG = REPO_ROOT / "seed-repos" / "model-deploy" / "config" / "staging.json"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data" / "abalone.data"
# Built by `npx projen setup:lambda-rie` (scripts/build-lambda-rie.sh), which `npx projen test` runs first.
RIE_BINARY = REPO_ROOT / ".cache" / "lambda-rie" / "aws-lambda-rie"
PYTHON = Path(sys.executable)
for path in (SERVICE_DIR, SERVICE_DIR / "scripts", SERVICE_DIR / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import train_local_model  # noqa: E402  (the seed's scripts/, made importable above)

from lambda_rie import LambdaEnvironment  # noqa: E402

PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/sagemaker-p-abcdef123456-abalone/3"
PACKAGE_VERSION = 3
# Variables that would change the handler's behaviour if inherited from the caller's shell.
HANDLER_ENV_DROP = ("MODEL_DIR", "MAX_RECORDS", "MAX_BODY_BYTES", "LOG_PAYLOADS", "XGBOOST_NTHREAD",
                    "LAMBDA_TASK_ROOT", "PYTHONPATH", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_MAX_CONCURRENCY")


@pytest.fixture(scope="session")
def shared_csv(tmp_path_factory) -> Path:
    """The shared data set with the header of the seed's sample (its columns, in the same order), as the seed's trainer reads it."""
    headed = tmp_path_factory.mktemp("data") / "abalone.csv"
    header = (SERVICE_DIR / "data" / "abalone-sample.csv").read_text().splitlines()[0]
    headed.write_text(header + "\n" + SHARED_DATA.read_text())
    return headed


@pytest.fixture(scope="session")
def shared_records(shared_csv) -> list[dict]:
    """Every row of the shared Abalone data set as a request record (the label removed)."""
    target = train_local_model.DEFAULT_TARGET
    return [{k: v for k, v in r.items() if k != target} for r in train_local_model.read_records(str(shared_csv))]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, shared_csv) -> Path:
    """The artifact contract (model, transform, info, package), trained on every row of the shared data set."""
    out = tmp_path_factory.mktemp("model") / "artifact"
    train_local_model.train_model_dir(str(shared_csv), str(out), package_arn=PACKAGE_ARN, version=PACKAGE_VERSION)
    return out


def _function_env(model_dir: Path) -> dict[str, str]:
    """The variables the function sees: the deployed stage's (staging.json) and MODEL_DIR, nothing inherited that matters."""
    stage = json.loads(STAGE_CONFIG.read_text())
    env = {name: value for name, value in os.environ.items() if name not in HANDLER_ENV_DROP}
    env.update({
        "MODEL_DIR": str(model_dir),
        # Set by the base image's /var/runtime/bootstrap; awslambdaric polls the Runtime API from a thread for it.
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        # Read by the emulator (handlers.go): the invoke timeout and the Memory Size it reports.
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(stage["timeoutSeconds"]),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(stage["memorySize"]),
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture(scope="session")
def direct_handler(model_dir):
    """``app.handler.handler`` imported in this process with the same settings: the reference every invoke must equal."""
    saved = {name: os.environ.pop(name) for name in HANDLER_ENV_DROP if name in os.environ}
    os.environ["MODEL_DIR"] = str(model_dir)
    try:
        module = importlib.import_module("app.handler")
    finally:
        del os.environ["MODEL_DIR"]
        os.environ.update(saved)
    return module.handler


@pytest.fixture(scope="session")
def start_environment(model_dir, tmp_path_factory):
    """Start Lambda execution environments on demand; all are stopped at the end of the session."""
    if not RIE_BINARY.is_file():
        pytest.fail(f"{RIE_BINARY} is missing: build it with `npx projen setup:lambda-rie` (needs Go)")
    started: list[LambdaEnvironment] = []
    logs = tmp_path_factory.mktemp("rie-logs")

    def start() -> LambdaEnvironment:
        environment = LambdaEnvironment(RIE_BINARY, PYTHON, SERVICE_DIR, _function_env(model_dir),
                                        logs / f"environment-{len(started)}.log")
        started.append(environment)
        return environment.start()

    yield start
    for environment in started:
        environment.stop()


@pytest.fixture(scope="session")
def lambda_environment(start_environment) -> LambdaEnvironment:
    return start_environment()
