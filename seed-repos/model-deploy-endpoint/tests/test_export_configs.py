import json

import pytest

import export_configs
from cfn_template import TEMPLATE_PATH, load_template

ENV = {"SAGEMAKER_PROJECT_NAME": "abalone", "SAGEMAKER_PROJECT_ID": "p-abcdefghijkl",
       "MODEL_EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/sagemaker-p-abcdefghijkl-endpoint-model"}
MODEL = {"packageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/abalone-p-abcdefghijkl/4",
         "packageGroupName": "abalone-p-abcdefghijkl", "version": 4,
         "imageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
         "modelDataUrl": "s3://sagemaker-project-p-abcdefghijkl/pipelines/model.tar.gz", "creationTime": "2025-01-01T00:00:00+00:00"}
SOURCE_DIR = "s3://sagemaker-project-p-abcdefghijkl/inference-code/4/0123456789abcdef/sourcedir.tar.gz"
SERVERLESS = {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}


@pytest.fixture
def build(tmp_path):
    (tmp_path / "model.json").write_text(json.dumps(MODEL))
    (tmp_path / "code.json").write_text(json.dumps({"sourceDirUrl": SOURCE_DIR}))
    (tmp_path / "config").mkdir()
    for stage in ("staging", "prod"):
        (tmp_path / "config" / f"{stage}.json").write_text((TEMPLATE_PATH.parent / "config" / f"{stage}.json").read_text())
    return tmp_path


def run(build, env=ENV):
    return export_configs.main(["--model", str(build / "model.json"), "--inference-code", str(build / "code.json"),
                                "--config-dir", str(build / "config"), "--output-dir", str(build / "out")], env=env)


def test_writes_the_template_and_one_configuration_per_stage(build):
    assert run(build) == 0
    out = build / "out"
    assert (out / "template-export.yml").read_text() == TEMPLATE_PATH.read_text()
    staging = json.loads((out / "staging-config-export.json").read_text())
    assert staging["Tags"] == {"sagemaker:project-name": "abalone", "sagemaker:project-id": "p-abcdefghijkl", "stage": "staging"}
    params = staging["Parameters"]
    assert all(isinstance(v, str) for v in params.values())
    assert {k: params[k] for k in ("ProjectId", "Stage", "ModelVersion", "SourceDirUrl", "EndpointMode",
                                   "ServerlessMemorySizeInMB", "ServerlessMaxConcurrency", "ServerlessProvisionedConcurrency")} == {
        "ProjectId": "p-abcdefghijkl", "Stage": "staging", "ModelVersion": "4", "SourceDirUrl": SOURCE_DIR,
        "EndpointMode": "Serverless", "ServerlessMemorySizeInMB": "2048", "ServerlessMaxConcurrency": "5",
        "ServerlessProvisionedConcurrency": "0"}
    prod = json.loads((out / "prod-config-export.json").read_text())["Parameters"]
    assert (prod["Stage"], prod["ServerlessMemorySizeInMB"], prod["ServerlessMaxConcurrency"]) == ("prod", "4096", "20")


def test_every_template_parameter_is_set_and_nothing_else(build):
    run(build)
    template_parameters = set(load_template()["Parameters"])
    for name in ("staging-config-export.json", "prod-config-export.json"):
        assert set(json.loads((build / "out" / name).read_text())["Parameters"]) == template_parameters


def test_file_names_come_from_the_environment(build):
    env = {**ENV, "EXPORT_TEMPLATE_NAME": "t.yml", "EXPORT_TEMPLATE_STAGING_CONFIG": "s.json", "EXPORT_TEMPLATE_PROD_CONFIG": "p.json"}
    assert run(build, env) == 0
    assert sorted(p.name for p in (build / "out").iterdir()) == ["p.json", "s.json", "t.yml"]


def test_the_revision_is_stable_and_changes_with_any_parameter(build):
    run(build)
    first = json.loads((build / "out" / "staging-config-export.json").read_text())["Parameters"]["DeploymentRevision"]
    run(build)
    assert json.loads((build / "out" / "staging-config-export.json").read_text())["Parameters"]["DeploymentRevision"] == first
    (build / "config" / "staging.json").write_text(json.dumps({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "memorySizeInMB": 3072}}))
    run(build)
    assert json.loads((build / "out" / "staging-config-export.json").read_text())["Parameters"]["DeploymentRevision"] != first


def revision(build, stage="staging"):
    return json.loads((build / "out" / f"{stage}-config-export.json").read_text())["Parameters"]["DeploymentRevision"]


def test_alarm_thresholds_the_topic_and_autoscaling_bounds_change_no_revision_so_they_never_redeploy_the_endpoint(build):
    prod = json.loads((build / "config" / "prod.json").read_text())
    run(build)
    first = revision(build, "prod")
    prod["alarms"]["modelLatencyP99Ms"] = 900
    prod["realTime"]["autoScaling"]["maxInstances"] = 6
    (build / "config" / "prod.json").write_text(json.dumps(prod))
    run(build, {**ENV, "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t"})
    assert revision(build, "prod") == first


@pytest.mark.parametrize("change", [
    lambda real_time: real_time["deployment"].update(trafficRouting="LINEAR", stepPercent=20),
    lambda real_time: real_time.pop("autoScaling"),
])
def test_a_new_deployment_policy_or_autoscaling_switched_off_changes_the_revision(build, change):
    prod = json.loads((build / "config" / "prod.json").read_text())
    run(build)
    first = revision(build, "prod")
    change(prod["realTime"])
    (build / "config" / "prod.json").write_text(json.dumps(prod))
    run(build)
    assert revision(build, "prod") != first


def test_the_notification_topic_comes_from_the_environment_and_defaults_to_none(build):
    run(build)
    assert json.loads((build / "out" / "prod-config-export.json").read_text())["Parameters"]["NotificationTopicArn"] == ""
    topic = "arn:aws:sns:us-east-1:123456789012:sagemaker-p-abcdefghijkl-notifications"
    assert run(build, {**ENV, "NOTIFICATION_TOPIC_ARN": topic}) == 0
    for stage in ("staging", "prod"):
        assert json.loads((build / "out" / f"{stage}-config-export.json").read_text())["Parameters"]["NotificationTopicArn"] == topic


BAD_CONFIGS = [
    ({"endpointMode": "Serverless", "serverless": SERVERLESS, "memory": 1}, "memory: unknown key"),
    ({"serverless": SERVERLESS}, "endpointMode: missing"),
    ({"endpointMode": "serverless", "serverless": SERVERLESS}, "endpointMode: 'serverless' is not one of Serverless, RealTime"),
    ({"endpointMode": "RealTime"}, "realTime: missing (required when endpointMode is RealTime)"),
    ({"endpointMode": "Serverless"}, "serverless: missing"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "memorySizeInMB": 1000}}, "serverless.memorySizeInMB: 1000 is not one of"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "memorySizeInMB": "2048"}}, "serverless.memorySizeInMB: '2048' is not one of"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "maxConcurrency": 0}}, "serverless.maxConcurrency: 0 is out of range 1..200"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "maxConcurrency": 201}}, "serverless.maxConcurrency: 201 is out of range 1..200"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "maxConcurrency": 5.0}}, "serverless.maxConcurrency: must be an integer"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "maxConcurrency": True}}, "serverless.maxConcurrency: must be an integer"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "provisionedConcurrency": -1}}, "serverless.provisionedConcurrency: -1 is out of range 0..200"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "provisionedConcurrency": 6}}, "serverless.provisionedConcurrency: 6 exceeds maxConcurrency 5"),
    ({"endpointMode": "Serverless", "serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5}}, "serverless.provisionedConcurrency: missing"),
    ({"endpointMode": "Serverless", "serverless": {**SERVERLESS, "timeout": 5}}, "serverless.timeout: unknown key"),
    ({"endpointMode": "Serverless", "serverless": [2048]}, "serverless: must be a JSON object"),
    ({"endpointMode": "RealTime", "realTime": {"instanceType": "ml.p3.2xlarge", "instanceCount": 1}}, "realTime.instanceType: 'ml.p3.2xlarge' is not one of"),
    ({"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": 11}}, "realTime.instanceCount: 11 is out of range 1..10"),
    ({"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": 0}}, "realTime.instanceCount: 0 is out of range 1..10"),
    ({"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large"}}, "realTime.instanceCount: missing"),
    # The block of the other mode is validated too, so switching modes later cannot surprise.
    ({"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1},
      "serverless": {**SERVERLESS, "maxConcurrency": 500}}, "serverless.maxConcurrency: 500 is out of range"),
    (["Serverless"], "(top level): must be a JSON object"),
]


@pytest.mark.parametrize("stage", ["staging", "prod"])
@pytest.mark.parametrize("doc, message", BAD_CONFIGS, ids=[m for _, m in BAD_CONFIGS])
def test_a_bad_config_fails_with_one_line_naming_file_and_key(build, capsys, stage, doc, message):
    (build / "config" / f"{stage}.json").write_text(json.dumps(doc))
    assert run(build) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"config/{stage}.json: {message}" in err
    assert not (build / "out").exists(), "nothing is written when any stage config is invalid"


def test_a_config_that_is_not_json_is_named(build, capsys):
    (build / "config" / "prod.json").write_text("{ endpointMode: Serverless }")
    assert run(build) == 1
    assert "prod.json is not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize("variable, value, message", [
    ("SAGEMAKER_PROJECT_ID", "", "SAGEMAKER_PROJECT_ID is not set"),
    ("SAGEMAKER_PROJECT_ID", "p-ABC", "must be p- followed by 12"),
    ("SAGEMAKER_PROJECT_NAME", "", "SAGEMAKER_PROJECT_NAME is not set"),
    ("SAGEMAKER_PROJECT_NAME", "-abc", "is not a SageMaker project name"),
    ("SAGEMAKER_PROJECT_NAME", "abc_1", "is not a SageMaker project name"),
    ("MODEL_EXECUTION_ROLE_ARN", "", "MODEL_EXECUTION_ROLE_ARN is not set"),
    ("MODEL_EXECUTION_ROLE_ARN", "sagemaker-role", "is not an IAM role ARN"),
    ("NOTIFICATION_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:q", "NOTIFICATION_TOPIC_ARN 'arn:aws:sqs:us-east-1:123456789012:q' is not an SNS topic ARN"),
])
def test_a_bad_environment_fails_with_one_line(build, capsys, variable, value, message):
    assert run(build, {**ENV, variable: value}) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_project_name_starting_with_a_digit_is_accepted(build):
    # SageMaker's CreateProject accepts ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}.
    assert run(build, {**ENV, "SAGEMAKER_PROJECT_NAME": "2026-churn"}) == 0


def test_a_missing_build_file_names_the_step_to_run(build, capsys):
    (build / "code.json").unlink()
    assert run(build) == 1
    assert "run scripts/package_inference.py first" in capsys.readouterr().err
