"""run_pipeline.py: the CLI buildspec.yml calls to upsert and start the pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from conftest import REPO_ROOT
from pipelines import run_pipeline

VALID_ARGS = [
    "--pipeline-name", "abalone-Demo-p-abcdef012345",
    "--role-arn", "arn:aws:iam::111122223333:role/service-role/AmazonSageMakerServiceCatalogProductsUseRole",
    "--region", "eu-west-1",
    "--artifact-bucket", "sagemaker-project-p-abcdef012345",
    "--project-name", "abalone-Demo",
    "--project-id", "p-abcdef012345",
]


def with_option(name, value):
    """VALID_ARGS with one option replaced (or added)."""
    args = list(VALID_ARGS)
    if name in args:
        args[args.index(name) + 1] = value
    else:
        args += [name, value]
    return args


class RecordingPipeline:
    """Stands in for sagemaker.workflow.pipeline.Pipeline: records upsert and start."""

    def __init__(self, fail_with=None, **kwargs):
        self.kwargs = kwargs
        self.fail_with = fail_with
        self.parameters = [SimpleNamespace(name="MseThreshold"), SimpleNamespace(name="InputDataUrl")]
        self.upserted = None
        self.started = None

    def upsert(self, role_arn, description, tags):
        if self.fail_with:
            raise self.fail_with
        self.upserted = {"role_arn": role_arn, "tags": tags}
        return {"PipelineArn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/x"}

    def start(self, parameters=None):
        self.started = {"parameters": parameters}
        return SimpleNamespace(arn="arn:aws:sagemaker:eu-west-1:111122223333:pipeline/x/execution/1")


@pytest.fixture
def recorded(monkeypatch):
    """Replace get_pipeline; the returned dict holds the pipeline it built."""
    built = {}

    def fake_get_pipeline(**kwargs):
        built["pipeline"] = RecordingPipeline(fail_with=built.get("fail_with"), **kwargs)
        return built["pipeline"]

    monkeypatch.setattr("pipelines.abalone.pipeline.get_pipeline", fake_get_pipeline)
    return built


def test_upserts_with_the_project_tags_and_starts_an_execution(recorded):
    assert run_pipeline.main(VALID_ARGS) == 0
    pipeline = recorded["pipeline"]
    assert pipeline.kwargs["model_package_group_name"] == "abalone-Demo-p-abcdef012345"
    assert pipeline.kwargs["default_bucket"] == "sagemaker-project-p-abcdef012345"
    assert {"Key": "sagemaker:project-name", "Value": "abalone-Demo"} in pipeline.upserted["tags"]
    assert {"Key": "sagemaker:project-id", "Value": "p-abcdef012345"} in pipeline.upserted["tags"]
    assert pipeline.started == {"parameters": None}


def test_tags_option_adds_tags_and_cannot_change_the_project_tags(recorded):
    tags = [{"Key": "team", "Value": "ml"}, {"Key": "sagemaker:project-id", "Value": "p-000000000000"}]
    run_pipeline.main(with_option("--tags", json.dumps(tags)))
    assert recorded["pipeline"].upserted["tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "sagemaker:project-name", "Value": "abalone-Demo"},
        {"Key": "sagemaker:project-id", "Value": "p-abcdef012345"},
    ]


def test_parameters_option_is_passed_to_the_execution(recorded):
    run_pipeline.main(with_option("--parameters", '{"MseThreshold": 5.0}'))
    assert recorded["pipeline"].started == {"parameters": {"MseThreshold": 5.0}}


def test_unknown_pipeline_parameter_is_refused_by_name(recorded):
    with pytest.raises(SystemExit, match="unknown pipeline parameter.*: MseTreshold"):
        run_pipeline.main(with_option("--parameters", '{"MseTreshold": 5.0}'))
    assert recorded["pipeline"].upserted is None


def test_aws_errors_end_in_one_readable_line(recorded):
    recorded["fail_with"] = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "CreatePipeline"
    )
    with pytest.raises(SystemExit, match="run_pipeline: AWS call failed: .*AccessDeniedException"):
        run_pipeline.main(VALID_ARGS)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--tags", "[{'Key': 'a'}]", "--tags: not valid JSON"),
        ("--tags", '{"Key": "a", "Value": "b"}', '--tags: expected a JSON list of {"Key"'),
        ("--parameters", "[1]", "--parameters: expected a JSON object"),
        ("--project-id", "p-ABC", "--project-id: 'p-ABC' is not a valid project id"),
        ("--project-name", "churn_2026", "--project-name: 'churn_2026' is not a valid project name"),
        ("--model-package-group-name", "churn_models", "'churn_models' is not a valid model package group name"),
        ("--role-arn", "MyRole", "--role-arn: 'MyRole' is not a valid IAM role ARN"),
        ("--artifact-bucket", "s3://bucket", "--artifact-bucket: 's3://bucket' is not a valid S3 bucket name"),
        ("--region", "Ireland", "--region: 'Ireland' is not a valid AWS region"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_naming_the_option(capsys, option, value, expected):
    with pytest.raises(SystemExit) as exit_info:
        run_pipeline.parse_args(with_option(option, value))
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("name", ["2026-churn", "9lives", "abalone-Demo", "a--b", "9" + "a" * 31])
def test_project_names_createproject_accepts_are_accepted_even_with_a_leading_digit(name):
    args = run_pipeline.parse_args(with_option("--project-name", name))
    assert args.project_name == name
    assert args.model_package_group_name == f"{name}-p-abcdef012345"
    assert run_pipeline.MODEL_PACKAGE_GROUP_NAME_PATTERN.match(args.model_package_group_name)


def test_a_project_name_starting_with_a_digit_builds_the_pipeline_with_its_group_and_tags(recorded):
    assert run_pipeline.main(with_option("--project-name", "2026-churn")) == 0
    pipeline = recorded["pipeline"]
    assert pipeline.kwargs["project_name"] == "2026-churn"
    assert pipeline.kwargs["model_package_group_name"] == "2026-churn-p-abcdef012345"
    assert {"Key": "sagemaker:project-name", "Value": "2026-churn"} in pipeline.upserted["tags"]


@pytest.mark.parametrize("name", ["-churn", "churn-", "churn_2026", "churn 2026", "churn.v2", "", "a" * 33])
def test_bad_project_names_are_rejected_with_one_line_naming_the_pattern(capsys, name):
    at = VALID_ARGS.index("--project-name")
    argv = VALID_ARGS[:at] + VALID_ARGS[at + 2:] + [f"--project-name={name}"]  # "=": "-churn" is not an option
    with pytest.raises(SystemExit) as exit_info:
        run_pipeline.parse_args(argv)
    assert exit_info.value.code == 2
    (error,) = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert error.endswith(
        f"error: argument --project-name: {name!r} is not a valid project name "
        f"(expected {run_pipeline.PROJECT_NAME_PATTERN.pattern})"
    )


def test_missing_required_option_is_named(capsys):
    with pytest.raises(SystemExit):
        run_pipeline.parse_args(VALID_ARGS[2:])
    assert "the following arguments are required: --pipeline-name" in capsys.readouterr().err


def test_as_a_script_bad_arguments_print_usage_not_a_traceback():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "pipelines" / "run_pipeline.py"), *with_option("--tags", "nope")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage: run_pipeline.py" in result.stderr and "--tags: not valid JSON" in result.stderr
