"""The Lambda image needs xgboost-cpu and numpy only, and the Dockerfile builds exactly that."""

from __future__ import annotations

import ast
import os
import re
import shlex
import sys

import numpy
import xgboost

from conftest import SERVICE_DIR

APP_DIR = os.path.join(SERVICE_DIR, "app")
BASE_IMAGE = "public.ecr.aws/lambda/python:3.12"


def _read(name: str) -> str:
    with open(os.path.join(SERVICE_DIR, name)) as handle:
        return handle.read()


def _requirement_pins(name: str) -> dict[str, str]:
    pins = {}
    for line in _read(name).splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            package, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            pins[package.strip()] = version.strip()
    return pins


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", _read("Dockerfile"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_app_imports_only_the_standard_library_numpy_and_xgboost():
    allowed = set(sys.stdlib_module_names) | {"numpy", "xgboost"}
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


def test_runtime_requirements_are_exactly_pinned_xgboost_cpu_and_numpy_matching_the_test_environment():
    assert _requirement_pins("requirements.txt") == {"xgboost-cpu": xgboost.__version__, "numpy": numpy.__version__}


def test_dev_requirements_extend_runtime_requirements_with_pinned_test_tools():
    assert "-r requirements.txt" in _read("requirements-dev.txt").splitlines()
    assert set(_requirement_pins("requirements-dev.txt")) == {"pytest", "pandas"}


def test_dockerfile_uses_the_pinned_lambda_python_base_image():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", BASE_IMAGE)
    assert [keyword for keyword, _ in instructions].count("FROM") == 1


def test_dockerfile_installs_only_requirements_txt_into_the_task_root():
    installs = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN" and "pip" in rest]
    assert len(installs) == 1
    words = shlex.split(installs[0])
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


def test_dockerfile_precompiles_the_app_bytecode_because_the_lambda_file_system_is_read_only():
    runs = [shlex.split(rest) for keyword, rest in _dockerfile_instructions() if keyword == "RUN"]
    assert ["python", "-m", "compileall", "-q", "${LAMBDA_TASK_ROOT}/app"] in runs


def test_dockerignore_sends_only_app_model_and_requirements_to_the_build():
    lines = [line.strip() for line in _read(".dockerignore").splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    assert {"!app/", "!model/", "!requirements.txt"} <= set(lines)
