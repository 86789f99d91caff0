"""README.md: its commands are the ones that work, with the names the project really uses.

The setup recipe must match buildspec.yml; the by-hand steps are run here as written (in bash, with
the environment's `source .venv/bin/activate` pointed at the interpreter running the tests and
/tmp/abalone at a temporary directory); the pipeline commands are parsed by the CLI they call.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from conftest import REPO_ROOT
from pipelines import run_pipeline

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
ACTIVATE = "source .venv/bin/activate"
# Placeholders of the README, filled as the project template names things (product/sagemaker-project.ts).
NAME, PROJECT_ID, REGION, ACCOUNT = "abalone-Demo", "p-abcdef012345", "eu-west-1", "111122223333"


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def bash_blocks(text: str) -> List[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M)


def filled(command: str) -> str:
    return (command.replace("<name>", NAME).replace("<id>", PROJECT_ID)
            .replace("<region>", REGION).replace("<account>", ACCOUNT))


def commands(block: str) -> List[str]:
    """One entry per command: backslash continuations joined."""
    return [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def buildspec() -> Dict:
    return yaml.safe_load((REPO_ROOT / "buildspec.yml").read_text())


def test_the_setup_recipe_is_a_venv_of_the_buildspec_python_activated_before_anything_runs(buildspec):
    python = buildspec["phases"]["install"]["runtime-versions"]["python"]
    (setup, *_by_hand) = bash_blocks(section("Set up and run the tests locally"))
    assert commands(setup) == [
        f"python{python} -m venv .venv",
        ACTIVATE,
        "python -m pip install -r requirements-dev.txt",
        "python -m pytest",
    ]
    assert f"Python {python}" in section("Set up and run the tests locally")
    # The build installs the same file (and its -r requirements.txt) and runs the same suite.
    assert "-r requirements-dev.txt" in buildspec["phases"]["install"]["commands"][0]
    assert buildspec["phases"]["pre_build"]["commands"][0].startswith("python -m pytest")
    assert ".venv/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


def test_every_block_that_runs_python_activates_the_environment_first():
    for block in bash_blocks(README):
        lines = commands(block)
        python_lines = [i for i, line in enumerate(lines) if re.match(r"(echo .*\| )?python ", line)]
        if python_lines and "-m venv" not in block:
            assert lines[0] == ACTIVATE, block


@pytest.fixture
def fake_venv(tmp_path) -> Path:
    """A .venv whose activate puts the interpreter running the tests first on PATH as `python`."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    # A wrapper, not a symlink: the interpreter finds its environment (pyvenv.cfg) from its own path.
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    (venv / "bin" / "activate").write_text(f'export PATH="{venv / "bin"}:$PATH"\n')
    return venv


def test_the_by_hand_steps_run_as_written_and_predict_locally(fake_venv, tmp_path):
    (_setup, by_hand) = bash_blocks(section("Set up and run the tests locally"))
    assert by_hand.startswith(ACTIVATE + "\n")
    script = by_hand.replace(ACTIVATE, f"source {fake_venv}/bin/activate").replace("/tmp/abalone", str(tmp_path / "abalone"))
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "abalone" / "evaluation" / "evaluation.json").is_file()
    transform = json.loads((tmp_path / "abalone" / "model" / "transform.json").read_text())
    lines = result.stdout.strip().splitlines()[-len(transform["examples"]):]
    for line, example in zip(lines, transform["examples"]):
        request, prediction = line.rsplit(",", 1)
        assert request == ",".join(str(example[field]) for field in transform["input_fields"])
        assert 1.0 <= float(prediction) <= 29.0  # rings, the range of the data


def test_the_variant_build_runs_as_written_and_writes_the_variant(fake_venv, tmp_path):
    (block,) = bash_blocks(section("Add or drop a feature"))
    script = block.replace(ACTIVATE, f"source {fake_venv}/bin/activate").replace("/tmp/variant", str(tmp_path / "variant"))
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    with tarfile.open(tmp_path / "variant" / "model.tar.gz") as archive:
        transform = json.load(archive.extractfile("transform.json"))
    assert "shell_weight" not in transform["input_fields"] and transform["input_fields"][-1] == "volume"


def test_the_readme_states_the_feature_table_and_the_margin_rule_as_configured():
    from pipelines.abalone import preprocess

    text = section("Add or drop a feature")
    assert f"RANGE_MARGIN = {preprocess.RANGE_MARGIN}" in text
    # Each line the README shows of FEATURES is a line of preprocess.py (comments aside).
    source = [line.strip() for line in Path(preprocess.__file__).read_text().splitlines()]
    shown = text.split("```python\n", 1)[1].split("```", 1)[0].splitlines()
    for line in (line.split("  #")[0].strip() for line in shown):
        assert line == "..." or line in source, line
    margin = f"{preprocess.RANGE_MARGIN:g}"
    assert f"[min − {margin} × span, max + {margin} × span]" in text


def test_run_pipeline_by_hand_names_the_sagemaker_pipeline_and_the_execution_role():
    (_codepipeline, _start, upsert) = bash_blocks(section("Start the pipeline without a push"))
    (line,) = [c for c in commands(upsert) if "run_pipeline.py" in c]
    argv = shlex.split(filled(line))
    assert argv[:2] == ["python", "pipelines/run_pipeline.py"]
    args = run_pipeline.parse_args(argv[2:])
    # The template's SAGEMAKER_PIPELINE_NAME and pipeline execution role (product/sagemaker-project.ts).
    assert args.pipeline_name == f"{NAME}-{PROJECT_ID}"
    assert args.role_arn == f"arn:aws:iam::{ACCOUNT}:role/sagemaker-{PROJECT_ID}-pipeline-execution"
    assert args.artifact_bucket == f"sagemaker-project-{PROJECT_ID}"
    assert args.parameters == {"MseThreshold": 5.0}
    assert f"aws iam get-role --role-name sagemaker-{PROJECT_ID}-pipeline-execution" in filled(
        section("Start the pipeline without a push"))


def test_the_codepipeline_and_the_sagemaker_pipeline_are_each_started_by_their_own_name():
    (codepipeline, start, _upsert) = bash_blocks(section("Start the pipeline without a push"))
    assert shlex.split(filled(commands(codepipeline)[0])) == [
        "aws", "codepipeline", "start-pipeline-execution", "--name", f"sagemaker-{NAME}-{PROJECT_ID}-modelbuild"]
    argv = shlex.split(filled(commands(start)[0]))
    assert argv[:3] == ["aws", "sagemaker", "start-pipeline-execution"]
    assert argv[argv.index("--pipeline-name") + 1] == f"{NAME}-{PROJECT_ID}"
    assert "sagemaker-<name>-<id>-modelbuild" not in "".join(bash_blocks(section("Start the pipeline without a push"))[1:])


def test_the_readme_states_the_configured_quality_bar_and_registration_details():
    from pipelines.abalone import pipeline

    assert f"MAX_TEST_RMSE = {pipeline.MAX_TEST_RMSE}" in README
    assert f"| `MseThreshold` | `{pipeline.DEFAULT_MSE_THRESHOLD:g}` |" in README
    registered = section("The registered model package")
    for instance_type in pipeline.INFERENCE_INSTANCE_TYPES + pipeline.TRANSFORM_INSTANCE_TYPES:
        assert f"`{instance_type}`" in registered
    for content_type in pipeline.SERVING_CONTENT_TYPES:
        assert f"`{content_type}`" in registered
