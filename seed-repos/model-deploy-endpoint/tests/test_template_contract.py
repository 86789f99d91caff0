"""What the project and its deploy role rely on: parameters, names, outputs, no IAM."""

import re

import pytest

import stage_config
from cfn_template import load_template

TEMPLATE = load_template()
PARAMETERS = TEMPLATE["Parameters"]
LONGEST = {"ProjectId": "p-" + "z" * 12, "Stage": "staging", "ModelVersion": "9" * 9, "DeploymentRevision": "f" * 8,
           "Mode": "sl"}
NAME_LIMIT = 63  # SageMaker model, endpoint config and endpoint names


def java_full_match(pattern: str, value: str) -> bool:
    # CloudFormation AllowedPattern must match the whole value.
    return re.fullmatch(pattern, value) is not None


def resolve_sub(value) -> str:
    template, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
    return re.sub(r"\$\{([^}]+)\}", lambda m: LONGEST[m.group(1)] if m.group(1) in LONGEST else "?", template)


def test_every_parameter_is_constrained():
    for name, spec in PARAMETERS.items():
        assert {"AllowedValues", "AllowedPattern", "MinValue"} & set(spec), f"{name} is unconstrained"
        if spec["Type"] == "Number" and "AllowedValues" not in spec:
            assert {"MinValue", "MaxValue"} <= set(spec), f"{name} needs MinValue and MaxValue"


def test_the_config_validator_limits_equal_the_template_constraints():
    def numbers(name):
        return [int(v) for v in PARAMETERS[name]["AllowedValues"]]

    def bounds(name):
        return (int(PARAMETERS[name]["MinValue"]), int(PARAMETERS[name]["MaxValue"]))

    assert PARAMETERS["EndpointMode"]["AllowedValues"] == list(stage_config.ENDPOINT_MODES)
    assert PARAMETERS["Stage"]["AllowedValues"] == list(stage_config.STAGES)
    assert numbers("ServerlessMemorySizeInMB") == list(stage_config.SERVERLESS_MEMORY_SIZES)
    assert bounds("ServerlessMaxConcurrency") == stage_config.MAX_CONCURRENCY_RANGE
    assert bounds("ServerlessProvisionedConcurrency") == stage_config.PROVISIONED_CONCURRENCY_RANGE
    assert PARAMETERS["InstanceType"]["AllowedValues"] == list(stage_config.INSTANCE_TYPES)
    assert bounds("InstanceCount") == stage_config.INSTANCE_COUNT_RANGE
    defaults = {k: str(PARAMETERS[k]["Default"]) for k in ("ServerlessMemorySizeInMB", "ServerlessMaxConcurrency",
                                                           "ServerlessProvisionedConcurrency", "InstanceType", "InstanceCount")}
    assert defaults == {"ServerlessMemorySizeInMB": "2048", "ServerlessMaxConcurrency": "5", "ServerlessProvisionedConcurrency": "0",
                        "InstanceType": "ml.m5.large", "InstanceCount": "1"}
    assert stage_config.DEFAULT_SERVERLESS == {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}
    assert stage_config.DEFAULT_REAL_TIME == {"instanceType": "ml.m5.large", "instanceCount": 1}


@pytest.mark.parametrize("name, good, bad", [
    ("ProjectId", ["p-abcdefghijkl"], ["p-ABCDEFGHIJKL", "p-abc", "abcdefghijklmn"]),
    ("ModelExecutionRoleArn", ["arn:aws:iam::123456789012:role/sagemaker-p-abcdefghijkl-endpoint-model"],
     ["arn:aws:iam::123456789012:user/x", "sagemaker-role"]),
    ("ImageUri", ["683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
                  "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost@sha256:" + "a" * 64],
     ["sagemaker-xgboost:3.0-5", "docker.io/xgboost:latest"]),
    ("ModelDataUrl", ["s3://sagemaker-project-p-abcdefghijkl/a/model.tar.gz"], ["https://x/model.tar.gz", "s3://b"]),
    ("SourceDirUrl", ["s3://sagemaker-project-p-abcdefghijkl/c/1/ab/sourcedir.tar.gz"], ["s3://bucket/code.zip"]),
    ("ModelPackageArn", ["arn:aws:sagemaker:us-east-1:123456789012:model-package/abalone-p-abcdefghijkl/3"],
     ["arn:aws:sagemaker:us-east-1:123456789012:model-package-group/abalone"]),
    ("DeploymentRevision", ["0123abcd"], ["0123ABCD", "0123abc", ""]),
])
def test_patterns_accept_real_values_and_reject_wrong_ones(name, good, bad):
    pattern = PARAMETERS[name]["AllowedPattern"]
    assert all(java_full_match(pattern, v) for v in good)
    assert not any(java_full_match(pattern, v) for v in bad)


@pytest.mark.parametrize("resource, prop, expected", [
    ("Model", "ModelName", "sagemaker-<id>-<stage>-v<version>-<revision>"),
    ("EndpointConfig", "EndpointConfigName", "sagemaker-<id>-<stage>-v<version>-<revision>-<sl|rt>"),
    ("Endpoint", "EndpointName", "sagemaker-<id>-<stage>"),
])
def test_physical_names_fit_the_limit_at_the_longest_project_id_stage_and_version(resource, prop, expected):
    name = resolve_sub(TEMPLATE["Resources"][resource]["Properties"][prop]["Fn::Sub"])
    assert "?" not in name and name.startswith("sagemaker-p-")
    assert len(name) <= NAME_LIMIT, f"{name} has {len(name)} characters"
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", name), "SageMaker name syntax"


def test_the_template_creates_no_iam_resources_and_only_the_three_sagemaker_ones():
    types = {name: r["Type"] for name, r in TEMPLATE["Resources"].items()}
    assert types == {"Model": "AWS::SageMaker::Model", "EndpointConfig": "AWS::SageMaker::EndpointConfig",
                     "Endpoint": "AWS::SageMaker::Endpoint"}
    assert not [t for t in types.values() if t.startswith("AWS::IAM::")]


def test_the_model_runs_the_inference_script_in_script_mode():
    container = TEMPLATE["Resources"]["Model"]["Properties"]["PrimaryContainer"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == {"Ref": "SourceDirUrl"}
    assert TEMPLATE["Resources"]["Model"]["Properties"]["ExecutionRoleArn"] == {"Ref": "ModelExecutionRoleArn"}


def test_outputs_are_endpoint_name_endpoint_arn_and_model_name():
    assert set(TEMPLATE["Outputs"]) == {"EndpointName", "EndpointArn", "ModelName"}
