"""scripts/check_endpoint_modes.py against botocore's Stubber (real botocore request validation, no network)."""

import json

import pytest
from botocore.stub import Stubber

import check_endpoint_modes
from aws_clients import offline_client

ENV = {"SAGEMAKER_PROJECT_NAME": "churn", "SAGEMAKER_PROJECT_ID": "p-abcdefghijkl"}
SERVERLESS = {"VariantName": "AllTraffic", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}
REAL_TIME = {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}


AUTOSCALED = {"instanceType": "ml.m5.large", "instanceCount": 2,
              "autoScaling": {"minInstances": 2, "maxInstances": 4, "invocationsPerInstance": 100}}


def configs(tmp_path, staging: str, prod: str, real_time: dict | None = None):
    for stage, mode in (("staging", staging), ("prod", prod)):
        block = {"serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}} if mode == "Serverless" \
            else {"realTime": real_time or {"instanceType": "ml.m5.large", "instanceCount": 1}}
        (tmp_path / f"{stage}.json").write_text(json.dumps({"endpointMode": mode, **block}))
    return tmp_path


def expect_endpoint(stubber, stage: str, variant: dict | None):
    name = f"sagemaker-p-abcdefghijkl-{stage}"
    if variant is None:
        stubber.add_client_error("describe_endpoint", "ValidationException",
                                 f'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}".',
                                 expected_params={"EndpointName": name})
        return
    config = f"{name}-v3-0a1b2c3d"
    stubber.add_response("describe_endpoint", {
        "EndpointName": name, "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
        "EndpointConfigName": config, "EndpointStatus": "InService",
        "CreationTime": "2026-01-01T00:00:00Z", "LastModifiedTime": "2026-01-01T00:00:00Z"}, {"EndpointName": name})
    stubber.add_response("describe_endpoint_config", {
        "EndpointConfigName": config, "EndpointConfigArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/{config}",
        "ProductionVariants": [variant], "CreationTime": "2026-01-01T00:00:00Z"}, {"EndpointConfigName": config})


def expect_scalable_target(stubber, stage: str, registered: bool):
    resource = f"endpoint/sagemaker-p-abcdefghijkl-{stage}/variant/AllTraffic"
    targets = [{"ServiceNamespace": "sagemaker", "ResourceId": resource, "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "MinCapacity": 2, "MaxCapacity": 4, "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/x",
                "CreationTime": "2026-01-01T00:00:00Z"}] if registered else []
    stubber.add_response("describe_scalable_targets", {"ScalableTargets": targets}, {
        "ServiceNamespace": "sagemaker", "ResourceIds": [resource], "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"})


def run(tmp_path, staging, prod, deployed, real_time=None, registered=()):
    """``registered``: (stage, is a scalable target) answers Application Auto Scaling gives, in order."""
    client, autoscaling = offline_client("sagemaker"), offline_client("application-autoscaling")
    with Stubber(client) as stubber, Stubber(autoscaling) as scaling:
        for stage, variant in zip(("staging", "prod"), deployed):
            expect_endpoint(stubber, stage, variant)
        for stage, answer in registered:
            expect_scalable_target(scaling, stage, answer)
        status = check_endpoint_modes.main(["--config-dir", str(configs(tmp_path, staging, prod, real_time))], ENV, client, autoscaling)
        stubber.assert_no_pending_responses()
        scaling.assert_no_pending_responses()
    return status


def test_a_first_deployment_in_either_mode_passes(tmp_path):
    assert run(tmp_path, "Serverless", "RealTime", (None, None)) == 0


def test_serverless_to_real_time_passes_because_update_endpoint_can_make_it(tmp_path):
    assert run(tmp_path, "RealTime", "RealTime", (SERVERLESS, SERVERLESS)) == 0


def test_real_time_to_serverless_stops_the_build_naming_the_stage_and_the_way_out(tmp_path, capsys):
    assert run(tmp_path, "Serverless", "RealTime", (REAL_TIME, REAL_TIME)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "config/staging.json sets endpointMode Serverless, but endpoint sagemaker-p-abcdefghijkl-staging runs on instances" in err
    assert "delete the stack sagemaker-churn-p-abcdefghijkl-deploy-staging" in err and "prod.json" not in err


def test_unchanged_modes_pass(tmp_path):
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, REAL_TIME)) == 0


def test_a_new_instance_type_of_an_autoscaled_variant_stops_the_build_with_the_three_releases_that_make_it(tmp_path, capsys):
    bigger = {**AUTOSCALED, "instanceType": "ml.c5.xlarge"}
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, REAL_TIME), bigger, [("prod", True)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("config/prod.json changes realTime.instanceType of endpoint sagemaker-p-abcdefghijkl-prod from ml.m5.large to "
            "ml.c5.xlarge, but the endpoint is registered for autoscaling") in err
    assert "Release once without realTime.autoScaling (same instanceType)" in err


def test_dropping_autoscaling_in_the_same_release_as_a_new_instance_type_is_refused_too(tmp_path, capsys):
    # CloudFormation deregisters the variant only after the endpoint update, which then fails.
    fixed = {"instanceType": "ml.c5.xlarge", "instanceCount": 2}
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, REAL_TIME), fixed, [("prod", True)]) == 1
    assert "registered for autoscaling" in capsys.readouterr().err


def test_a_new_instance_type_without_autoscaling_registered_passes(tmp_path):
    bigger = {**AUTOSCALED, "instanceType": "ml.c5.xlarge"}
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, REAL_TIME), bigger, [("prod", False)]) == 0


def test_an_autoscaled_variant_with_the_same_instance_type_passes_without_asking_autoscaling(tmp_path):
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, REAL_TIME), AUTOSCALED) == 0


def test_serverless_to_autoscaled_real_time_in_one_release_is_refused_with_the_two_step_way(tmp_path, capsys):
    assert run(tmp_path, "Serverless", "RealTime", (SERVERLESS, SERVERLESS), AUTOSCALED) == 1
    err = capsys.readouterr().err
    assert "config/prod.json switches endpoint sagemaker-p-abcdefghijkl-prod from serverless to RealTime with realTime.autoScaling" in err
    assert "Deploy RealTime without realTime.autoScaling first" in err


def test_a_first_deployment_with_autoscaling_passes(tmp_path):
    assert run(tmp_path, "RealTime", "RealTime", (None, None), AUTOSCALED) == 0


def test_another_aws_error_is_one_line(tmp_path, capsys):
    client = offline_client("sagemaker")
    with Stubber(client) as stubber:
        stubber.add_client_error("describe_endpoint", "AccessDeniedException", "not authorized")
        status = check_endpoint_modes.main(["--config-dir", str(configs(tmp_path, "Serverless", "Serverless"))], ENV, client,
                                           offline_client("application-autoscaling"))
    assert status == 1
    assert capsys.readouterr().err.strip() == "check_endpoint_modes: error: AWS DescribeEndpoint failed: AccessDeniedException: not authorized"


@pytest.mark.parametrize("missing", ["SAGEMAKER_PROJECT_NAME", "SAGEMAKER_PROJECT_ID"])
def test_a_missing_environment_variable_is_named(tmp_path, capsys, missing):
    env = {k: v for k, v in ENV.items() if k != missing}
    assert check_endpoint_modes.main(["--config-dir", str(configs(tmp_path, "Serverless", "Serverless"))], env, offline_client("sagemaker"),
                                     offline_client("application-autoscaling")) == 1
    assert f"environment variable {missing} is not set" in capsys.readouterr().err


def test_the_build_checks_before_it_exports_anything():
    buildspec = (check_endpoint_modes.ROOT / "buildspec.yml").read_text()
    assert buildspec.index("python scripts/check_endpoint_modes.py") < buildspec.index("python scripts/export_configs.py")
