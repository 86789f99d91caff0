"""buildspec.yml: tests gate the build, the data key and the CLI arguments agree with the code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from conftest import REPO_ROOT
from pipelines import run_pipeline

CODEBUILD_ENV = {
    "SAGEMAKER_PROJECT_NAME": "abalone-Demo",
    "SAGEMAKER_PROJECT_ID": "p-abcdef012345",
    "ARTIFACT_BUCKET": "sagemaker-project-p-abcdef012345",
    "SAGEMAKER_PIPELINE_NAME": "abalone-Demo-p-abcdef012345",  # the SageMaker pipeline, <name>-<id>
    "SAGEMAKER_PIPELINE_ROLE_ARN": "arn:aws:iam::111122223333:role/service-role/AmazonSageMakerServiceCatalogProductsUseRole",
    "AWS_REGION": "eu-west-1",
}


@pytest.fixture(scope="module")
def buildspec():
    return yaml.safe_load((REPO_ROOT / "buildspec.yml").read_text())


def commands(buildspec, phase):
    return buildspec["phases"][phase]["commands"]


def test_tests_run_fail_fast_before_anything_changes_in_aws(buildspec):
    assert commands(buildspec, "pre_build") == ["python -m pytest -x"]
    assert buildspec["phases"]["pre_build"]["on-failure"] == "ABORT"
    assert "requirements-dev.txt" in commands(buildspec, "install")[0]


def test_data_is_uploaded_only_when_absent_to_the_pipeline_default_key(buildspec):
    from pipelines.abalone.pipeline import INPUT_DATA_KEY

    assert buildspec["env"]["variables"]["INPUT_DATA_KEY"] == INPUT_DATA_KEY
    (upload,) = [c for c in commands(buildspec, "build") if "aws s3" in c]
    head, copy = upload.split(" || ")
    assert head.startswith("aws s3api head-object")
    assert copy.startswith("aws s3 cp data/abalone.csv")


def test_run_pipeline_command_expands_to_arguments_the_cli_accepts(buildspec):
    """Run the command through bash, as CodeBuild does, with python replaced by an argv printer."""
    (command,) = [c for c in commands(buildspec, "build") if "run_pipeline.py" in c]
    printer = f'"{sys.executable}" -c "import json, sys; print(json.dumps(sys.argv[1:]))"'
    result = subprocess.run(
        ["bash", "-c", command.replace("python pipelines/run_pipeline.py", printer)],
        capture_output=True, text=True, env={**os.environ, **CODEBUILD_ENV}, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    args = run_pipeline.parse_args(json.loads(result.stdout))
    assert args.region == "eu-west-1"
    assert args.model_package_group_name == "abalone-Demo-p-abcdef012345"
    assert run_pipeline.project_tags(args) == [
        {"Key": "sagemaker:project-name", "Value": "abalone-Demo"},
        {"Key": "sagemaker:project-id", "Value": "p-abcdef012345"},
    ]
