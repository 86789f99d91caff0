"""The Lambda image needs xgboost-cpu, numpy and orjson only, pinned with hashes, and the Dockerfile builds exactly that."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shlex
import sys

import numpy
import orjson
import xgboost

import compare_without_scipy
from conftest import SERVICE_DIR
from http_events import csv_body
from model_under_test import INPUT_FIELDS

APP_DIR = os.path.join(SERVICE_DIR, "app")
BASE_IMAGE = "public.ecr.aws/lambda/python:3.12"
RUNTIME_DISTRIBUTIONS = ("xgboost-cpu", "numpy", "orjson")
# The target for the runtime dependencies installed with pip install --target (was 186 MB with scipy).
MAX_INSTALLED_MEGABYTES = 80


def _read(name: str) -> str:
    with open(os.path.join(SERVICE_DIR, name)) as handle:
        return handle.read()


def _requirements(name: str) -> list[tuple[str, str, list[str]]]:
    """(package, version, hashes) per requirement; backslash continuations joined."""
    text = re.sub(r"\\\n", " ", _read(name))
    requirements = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        package, _, version = spec.partition("==")
        assert version, f"{name}: {line!r} is not pinned with =="
        hashes = [option.removeprefix("--hash=") for option in options if option.startswith("--hash=")]
        assert len(hashes) == len(options), f"{name}: {line!r} has options other than --hash"
        requirements.append((package, version, hashes))
    return requirements


def _requirement_pins(name: str) -> dict[str, str]:
    return {package: version for package, version, _hashes in _requirements(name)}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", _read("Dockerfile"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_app_imports_only_the_standard_library_numpy_xgboost_and_orjson():
    allowed = set(sys.stdlib_module_names) | {"numpy", "xgboost", "orjson"}
    for name in sorted(os.listdir(APP_DIR)):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(_read(os.path.join("app", name)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] in allowed, f"app/{name} imports {module}"


def test_runtime_requirements_are_exactly_xgboost_cpu_numpy_and_orjson_matching_the_test_environment():
    assert _requirement_pins("requirements.txt") == {"xgboost-cpu": xgboost.__version__, "numpy": numpy.__version__,
                                                     "orjson": orjson.__version__}


def test_every_runtime_requirement_is_pinned_with_a_sha256_hash():
    for package, _version, hashes in _requirements("requirements.txt"):
        assert hashes, f"{package} has no --hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), (package, hashes)


def test_scipy_is_not_a_runtime_requirement_although_xgboost_cpu_declares_it():
    declared = importlib.metadata.requires("xgboost-cpu") or []
    assert any(requirement.startswith("scipy") for requirement in declared)  # why --no-deps is needed
    assert "scipy" not in _requirement_pins("requirements.txt")


def test_dev_requirements_pin_the_runtime_packages_at_the_same_versions_plus_test_tools():
    dev = _requirement_pins("requirements-dev.txt")
    assert {package: dev.get(package) for package in RUNTIME_DISTRIBUTIONS} == _requirement_pins("requirements.txt")
    assert set(dev) - set(RUNTIME_DISTRIBUTIONS) == {"pytest", "pandas"}


def test_installed_runtime_dependencies_are_at_most_80_mb():
    # The files pip install --target writes for these wheels (their RECORD), without bytecode, as the
    # benchmark measures with a real pip install --target --no-compile.
    total = 0
    for name in RUNTIME_DISTRIBUTIONS:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            if "__pycache__" not in file.parts:
                path = distribution.locate_file(file)
                total += os.path.getsize(path) if os.path.isfile(path) else 0
    assert 50e6 < total <= MAX_INSTALLED_MEGABYTES * 1e6, f"{total / 1e6:.1f} MB"


def test_predictions_are_bit_identical_with_and_without_scipy(capsys, model_dir, model_records, tmp_path):
    # Every record through the handler in a process where scipy can be imported and in one where every scipy
    # import fails, as in the image; both against xgboost's own inplace_predict.
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(INPUT_FIELDS) + "\n" + csv_body(model_records))
    assert compare_without_scipy.main(["--data", str(rows), "--model-dir", model_dir]) == 0
    assert "inplace_predict are bit-identical" in capsys.readouterr().out


def test_dockerfile_uses_the_pinned_lambda_python_base_image():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", BASE_IMAGE)
    assert [keyword for keyword, _ in instructions].count("FROM") == 1


def test_dockerfile_installs_only_requirements_txt_into_the_task_root_checking_hashes_without_dependencies():
    installs = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN" and "pip" in rest]
    assert len(installs) == 1
    words = shlex.split(installs[0])
    assert {"--require-hashes", "--no-deps", "--only-binary=:all:"} <= set(words)
    assert words[words.index("-r") + 1].endswith("requirements.txt")
    assert words[words.index("--target") + 1] in ("${LAMBDA_TASK_ROOT}", "$LAMBDA_TASK_ROOT")
    assert [w for w in words[words.index("install") + 1:] if not w.startswith("-") and w != words[words.index("-r") + 1]
            and w != words[words.index("--target") + 1]] == []


def test_dockerfile_bakes_app_and_model_into_the_image_and_runs_the_handler():
    instructions = _dockerfile_instructions()
    copies = [shlex.split(rest) for keyword, rest in instructions if keyword == "COPY"]
    sources = {tuple(c[:-1]): c[-1] for c in copies}
    assert sources[("app/",)] == "${LAMBDA_TASK_ROOT}/app/"
    assert sources[("model/",)] == "${LAMBDA_TASK_ROOT}/model/"
    assert instructions[-1] == ("CMD", '["app.handler.handler"]')
    # No download at init or build beyond pip: the model comes from the build context.
    assert not any(tool in rest for keyword, rest in instructions for tool in ("curl", "wget", "aws s3", "ADD http"))


def test_dockerfile_checks_at_build_time_that_the_handler_initialises():
    runs = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN"]
    assert any("import app.handler" in run for run in runs)


def test_dockerfile_precompiles_app_and_dependency_bytecode_because_the_lambda_file_system_is_read_only():
    runs = [shlex.split(rest) for keyword, rest in _dockerfile_instructions() if keyword == "RUN"]
    assert ["python", "-m", "compileall", "-q", "${LAMBDA_TASK_ROOT}/app"] in runs
    # pip runs with --no-compile so that the dependencies' test suites get no bytecode; the rest is compiled.
    assert ["python", "-m", "compileall", "-q", "-x", "/tests/", "${LAMBDA_TASK_ROOT}"] in runs


def test_dockerignore_sends_only_app_model_and_requirements_to_the_build():
    lines = [line.strip() for line in _read(".dockerignore").splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    assert {"!app/", "!model/", "!requirements.txt"} <= set(lines)
