"""cfn-lint over template.yml with every parameter combination the stage configs allow."""

import itertools
import json

import pytest
from cfnlint.api import ManualArgs, lint

import export_configs
import stage_config
from cfn_template import TEMPLATE_PATH
from test_export_configs import ENV, MODEL, SOURCE_DIR

REGIONS = ["us-east-1", "eu-west-1"]


TOPIC = "arn:aws:sns:us-east-1:123456789012:sagemaker-p-abcdefghijkl-notifications"


def parameters_for(doc: dict, stage: str = "staging", topic: str = "") -> dict:
    config = stage_config.parse_stage_config(doc, "matrix")
    return export_configs.template_configuration(stage, config, "abalone", ENV["SAGEMAKER_PROJECT_ID"],
                                                 ENV["MODEL_EXECUTION_ROLE_ARN"], MODEL, SOURCE_DIR, topic)["Parameters"]


def serverless_matrix() -> list[dict]:
    docs = []
    for memory, max_concurrency in itertools.product(stage_config.SERVERLESS_MEMORY_SIZES, stage_config.MAX_CONCURRENCY_RANGE):
        for provisioned in sorted({0, 1, max_concurrency}):
            docs.append({"endpointMode": "Serverless", "serverless": {
                "memorySizeInMB": memory, "maxConcurrency": max_concurrency, "provisionedConcurrency": provisioned}})
    return docs


def real_time_matrix() -> list[dict]:
    return [{"endpointMode": "RealTime", "realTime": {"instanceType": t, "instanceCount": c}}
            for t, c in itertools.product(stage_config.INSTANCE_TYPES, stage_config.INSTANCE_COUNT_RANGE)]


def operating_matrix() -> list[dict]:
    """Every traffic routing at its boundary values, with and without autoscaling and a topic, and extreme alarms."""
    docs = []
    deployments = [
        {"trafficRouting": "ALL_AT_ONCE", "terminationWaitSeconds": 0, "maximumExecutionTimeoutSeconds": 600},
        {"trafficRouting": "ALL_AT_ONCE", "terminationWaitSeconds": 3600, "maximumExecutionTimeoutSeconds": 28800},
        {"trafficRouting": "CANARY", "stepPercent": 1, "waitIntervalSeconds": 0, "terminationWaitSeconds": 0,
         "maximumExecutionTimeoutSeconds": 600},
        {"trafficRouting": "CANARY", "stepPercent": 50, "waitIntervalSeconds": 3600, "terminationWaitSeconds": 3600,
         "maximumExecutionTimeoutSeconds": 28800},
        {"trafficRouting": "LINEAR", "stepPercent": 10, "waitIntervalSeconds": 60, "terminationWaitSeconds": 60,
         "maximumExecutionTimeoutSeconds": 1200},
        {"trafficRouting": "LINEAR", "stepPercent": 50, "waitIntervalSeconds": 3600, "terminationWaitSeconds": 3600,
         "maximumExecutionTimeoutSeconds": 28800},
    ]
    scalings = [None, {"minInstances": 2, "maxInstances": 2, "invocationsPerInstance": 1},
                {"minInstances": 2, "maxInstances": 10, "invocationsPerInstance": 100000}]
    alarms = [{"evaluationMinutes": 1, "serverErrorRate": 0, "clientErrorRate": 0, "modelLatencyP99Ms": 1, "modelSetupTimeMs": 1000},
              {"evaluationMinutes": 30, "serverErrorRate": 1, "clientErrorRate": 1, "modelLatencyP99Ms": 60000, "modelSetupTimeMs": 600000}]
    for deployment, scaling, alarm in itertools.product(deployments, scalings, alarms):
        real_time = {"instanceType": "ml.m5.large", "instanceCount": 2, "deployment": deployment}
        if scaling:
            real_time["autoScaling"] = scaling
        docs.append({"endpointMode": "RealTime", "realTime": real_time, "alarms": alarm})
    docs.extend({"endpointMode": "Serverless", "serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0},
                 "alarms": alarm} for alarm in alarms)
    return docs


def stage_parameter_sets() -> list[dict]:
    return [parameters_for(json.loads((TEMPLATE_PATH.parent / "config" / f"{s}.json").read_text()), s) for s in stage_config.STAGES]


def run_lint(parameter_sets: list[dict]) -> list[str]:
    matches = lint(TEMPLATE_PATH.read_text(), config=ManualArgs(regions=REGIONS, parameters=parameter_sets))
    return [str(m) for m in matches]


def test_template_lints_clean_without_parameters():
    assert run_lint([]) == []


def test_template_lints_clean_with_both_stage_configs():
    assert run_lint(stage_parameter_sets()) == []


@pytest.mark.parametrize("mode, matrix", [("Serverless", serverless_matrix), ("RealTime", real_time_matrix)])
def test_template_lints_clean_with_every_boundary_value_of_each_mode(mode, matrix):
    parameter_sets = [parameters_for(doc) for doc in matrix()]
    assert len(parameter_sets) >= 16 and {p["EndpointMode"] for p in parameter_sets} == {mode}
    assert run_lint(parameter_sets) == []


def test_template_lints_clean_with_every_deployment_autoscaling_and_alarm_boundary_with_and_without_a_topic():
    parameter_sets = [parameters_for(doc, topic=TOPIC if i % 2 else "") for i, doc in enumerate(operating_matrix())]
    assert len(parameter_sets) == 38 and {p["NotificationTopicArn"] for p in parameter_sets} == {"", TOPIC}
    assert run_lint(parameter_sets) == []


@pytest.mark.parametrize("name, value, rule", [
    ("TrafficRoutingType", "ROLLING", "E2900"),
    ("ServerlessMemorySizeInMB", "1000", "E2900"),
    ("ServerlessMemorySizeInMB", "8192", "E2900"),
    ("InstanceType", "ml.p3.2xlarge", "E2900"),
    ("EndpointMode", "Batch", "E2900"),
    ("Stage", "dev", "E2900"),
])
def test_an_out_of_range_value_is_rejected(name, value, rule):
    parameters = {**stage_parameter_sets()[0], name: value}
    found = run_lint([parameters])
    assert any(rule in m and repr(value) in m for m in found), found
