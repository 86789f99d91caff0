"""What the project and its deploy role rely on: parameters, names, outputs, no IAM."""

import json
import re

import pytest

import export_configs
import stage_config
import stage_operations
from cfn_resolve import Resolved
from cfn_template import load_template
from test_export_configs import ENV, MODEL, SOURCE_DIR

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


def test_the_template_creates_no_iam_resources_only_hosting_alarms_autoscaling_and_a_dashboard():
    types = {name: r["Type"] for name, r in TEMPLATE["Resources"].items()}
    assert types == {
        "Model": "AWS::SageMaker::Model", "EndpointConfig": "AWS::SageMaker::EndpointConfig", "Endpoint": "AWS::SageMaker::Endpoint",
        "ServerErrorsAlarm": "AWS::CloudWatch::Alarm", "ClientErrorsAlarm": "AWS::CloudWatch::Alarm",
        "ModelLatencyAlarm": "AWS::CloudWatch::Alarm", "ModelSetupTimeAlarm": "AWS::CloudWatch::Alarm",
        "ScalableTarget": "AWS::ApplicationAutoScaling::ScalableTarget", "ScalingPolicy": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Dashboard": "AWS::CloudWatch::Dashboard"}
    assert not [t for t in types.values() if t.startswith("AWS::IAM::")]


def test_the_model_runs_the_inference_script_in_script_mode():
    container = TEMPLATE["Resources"]["Model"]["Properties"]["PrimaryContainer"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == {"Ref": "SourceDirUrl"}
    assert TEMPLATE["Resources"]["Model"]["Properties"]["ExecutionRoleArn"] == {"Ref": "ModelExecutionRoleArn"}


def test_outputs_are_endpoint_name_endpoint_arn_model_name_and_dashboard_name():
    assert set(TEMPLATE["Outputs"]) == {"EndpointName", "EndpointArn", "ModelName", "DashboardName"}


def test_the_operating_limits_of_the_config_equal_the_template_constraints():
    def bounds(name, scale=1):
        return (int(float(PARAMETERS[name]["MinValue"])) // scale, int(float(PARAMETERS[name]["MaxValue"])) // scale)

    assert bounds("AlarmEvaluationMinutes") == stage_operations.ALARM_EVALUATION_MINUTES_RANGE
    assert bounds("ModelLatencyP99ThresholdMicroseconds", 1000) == stage_operations.MODEL_LATENCY_P99_MS_RANGE
    assert bounds("ModelSetupTimeThresholdMicroseconds", 1000) == stage_operations.MODEL_SETUP_TIME_MS_RANGE
    assert bounds("ServerErrorRateThreshold") == bounds("ClientErrorRateThreshold") == (0, 1)
    assert PARAMETERS["TrafficRoutingType"]["AllowedValues"] == list(stage_operations.TRAFFIC_ROUTINGS)
    assert bounds("TrafficStepPercent") == stage_operations.STEP_PERCENT_RANGE
    assert bounds("WaitIntervalInSeconds") == bounds("TerminationWaitInSeconds") == stage_operations.WAIT_SECONDS_RANGE
    assert bounds("MaximumExecutionTimeoutInSeconds") == stage_operations.EXECUTION_TIMEOUT_SECONDS_RANGE
    assert bounds("AutoScalingMinInstances") == stage_operations.AUTO_SCALING_INSTANCES_RANGE
    assert bounds("AutoScalingMaxInstances") == (0, stage_operations.AUTO_SCALING_INSTANCES_RANGE[1])
    assert bounds("AutoScalingInvocationsPerInstance") == stage_operations.INVOCATIONS_PER_INSTANCE_RANGE


def test_a_config_without_operating_blocks_exports_the_template_defaults():
    config = stage_config.parse_stage_config({"endpointMode": "Serverless", "serverless": stage_config.DEFAULT_SERVERLESS}, "x")
    exported = config.template_parameters()
    operating = [name for name in exported if name not in stage_config.DEFAULT_SERVERLESS and name not in (
        "EndpointMode", "ServerlessMemorySizeInMB", "ServerlessMaxConcurrency", "ServerlessProvisionedConcurrency", "InstanceType", "InstanceCount")]
    assert len(operating) == 13
    def number(value):
        return value if value == "ALL_AT_ONCE" else float(value)
    assert {name: number(exported[name]) for name in operating} == {name: number(str(PARAMETERS[name]["Default"])) for name in operating}


def stage(doc: dict, stage_name: str = "prod", topic: str = "") -> Resolved:
    config = stage_config.parse_stage_config(doc, "test")
    parameters = export_configs.template_configuration(stage_name, config, "abalone", ENV["SAGEMAKER_PROJECT_ID"],
                                                       ENV["MODEL_EXECUTION_ROLE_ARN"], MODEL, SOURCE_DIR, topic)["Parameters"]
    return Resolved(TEMPLATE, parameters)


SERVERLESS_DOC = {"endpointMode": "Serverless", "serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}}
CANARY_DOC = {"endpointMode": "RealTime", "realTime": {
    "instanceType": "ml.m5.large", "instanceCount": 2,
    "autoScaling": {"minInstances": 2, "maxInstances": 4, "invocationsPerInstance": 100},
    "deployment": {"trafficRouting": "CANARY", "stepPercent": 50, "waitIntervalSeconds": 600,
                   "terminationWaitSeconds": 300, "maximumExecutionTimeoutSeconds": 3600}}}
ALARMS = ("ServerErrorsAlarm", "ClientErrorsAlarm", "ModelLatencyAlarm", "ModelSetupTimeAlarm")
TOPIC = "arn:aws:sns:eu-west-1:111122223333:sagemaker-p-abcdefghijkl-notifications"


@pytest.mark.parametrize("topic", [TOPIC, ""])
def test_every_alarm_notifies_the_project_topic_on_alarm_and_on_ok_when_one_is_given(topic):
    resolved = stage(SERVERLESS_DOC, topic=topic)
    for alarm in ALARMS:
        properties = resolved.value(TEMPLATE["Resources"][alarm]["Properties"])
        actions = [topic] if topic else []
        assert (properties.get("AlarmActions"), properties.get("OKActions")) == (actions, actions), alarm
        assert properties["TreatMissingData"] == "notBreaching"
        assert properties["Dimensions"] == [{"Name": "EndpointName", "Value": "sagemaker-p-abcdefghijkl-prod"},
                                            {"Name": "VariantName", "Value": "AllTraffic"}]


def test_alarm_thresholds_come_from_the_stage_config_in_the_units_cloudwatch_uses():
    doc = {**SERVERLESS_DOC, "alarms": {"evaluationMinutes": 5, "serverErrorRate": 0.02, "clientErrorRate": 0.3,
                                        "modelLatencyP99Ms": 250, "modelSetupTimeMs": 12000}}
    resolved = stage(doc)
    threshold = {a: float(resolved.value(TEMPLATE["Resources"][a]["Properties"]["Threshold"])) for a in ALARMS}
    assert threshold == {"ServerErrorsAlarm": 0.02, "ClientErrorsAlarm": 0.3, "ModelLatencyAlarm": 250_000, "ModelSetupTimeAlarm": 12_000_000}
    latency = resolved.value(TEMPLATE["Resources"]["ModelLatencyAlarm"]["Properties"])
    assert (latency["ExtendedStatistic"], latency["EvaluationPeriods"], latency["DatapointsToAlarm"]) == ("p99", "5", "5")


def test_a_real_time_endpoint_deploys_blue_green_with_the_configured_canary_and_rolls_back_on_the_alarms():
    resolved = stage(CANARY_DOC)
    endpoint = resolved.value(TEMPLATE["Resources"]["Endpoint"]["Properties"])
    assert endpoint["DeploymentConfig"] == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": "50"},
                                            "WaitIntervalInSeconds": "600"},
            "TerminationWaitInSeconds": "300", "MaximumExecutionTimeoutInSeconds": "3600"},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "sagemaker-p-abcdefghijkl-prod-5xx-rate"},
                                                 {"AlarmName": "sagemaker-p-abcdefghijkl-prod-4xx-rate"},
                                                 {"AlarmName": "sagemaker-p-abcdefghijkl-prod-model-latency-p99"}]}}
    # With autoscaling, an update keeps the count the scaler chose.
    assert endpoint["RetainAllVariantProperties"] is True


def test_linear_shifting_sets_the_step_size_and_all_at_once_sets_no_step():
    linear = {**CANARY_DOC, "realTime": {**CANARY_DOC["realTime"], "deployment": {
        "trafficRouting": "LINEAR", "stepPercent": 20, "waitIntervalSeconds": 120, "terminationWaitSeconds": 60,
        "maximumExecutionTimeoutSeconds": 1800}}}
    routing = stage(linear).value(TEMPLATE["Resources"]["Endpoint"]["Properties"])["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert routing["TrafficRoutingConfiguration"] == {"Type": "LINEAR", "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": "20"},
                                                      "WaitIntervalInSeconds": "120"}
    at_once = {"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1}}
    endpoint = stage(at_once).value(TEMPLATE["Resources"]["Endpoint"]["Properties"])
    assert endpoint["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"] == {"Type": "ALL_AT_ONCE"}
    assert "RetainAllVariantProperties" not in endpoint


def test_a_serverless_endpoint_has_no_deployment_config_no_autoscaling_and_a_cold_start_alarm():
    resolved = stage(SERVERLESS_DOC)
    endpoint = resolved.value(TEMPLATE["Resources"]["Endpoint"]["Properties"])
    assert "DeploymentConfig" not in endpoint and "RetainAllVariantProperties" not in endpoint
    assert not resolved.exists("ScalableTarget") and not resolved.exists("ScalingPolicy")
    assert resolved.exists("ModelSetupTimeAlarm")
    assert not stage(CANARY_DOC).exists("ModelSetupTimeAlarm")


def test_autoscaling_tracks_invocations_per_instance_on_the_stage_variant_within_the_configured_bounds():
    resolved = stage(CANARY_DOC)
    target = resolved.value(TEMPLATE["Resources"]["ScalableTarget"]["Properties"])
    assert target == {"ServiceNamespace": "sagemaker", "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                      "ResourceId": "endpoint/sagemaker-p-abcdefghijkl-prod/variant/AllTraffic", "MinCapacity": "2", "MaxCapacity": "4"}
    policy = resolved.value(TEMPLATE["Resources"]["ScalingPolicy"]["Properties"])
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert (policy["PolicyType"], tracking["TargetValue"], tracking["PredefinedMetricSpecification"]) == (
        "TargetTrackingScaling", "100", {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"})
    without = {"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1}}
    assert not stage(without).exists("ScalableTarget")


@pytest.mark.parametrize("doc, mode_metric", [(SERVERLESS_DOC, "ModelSetupTime"), (CANARY_DOC, "CPUUtilization")])
def test_the_dashboard_is_valid_json_showing_traffic_latency_errors_capacity_and_every_alarm_of_the_stage(doc, mode_metric):
    resolved = stage(doc)
    body = json.loads(resolved.value(TEMPLATE["Resources"]["Dashboard"]["Properties"]["DashboardBody"]))
    metrics = [line for w in body["widgets"] if w["type"] == "metric" for line in w["properties"]["metrics"]]
    names = {line[1] for line in metrics if isinstance(line[0], str)}
    assert {"Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", mode_metric} <= names
    stats = {line[-1].get("stat") for line in metrics if line[1:2] == ["ModelLatency"]}
    assert {"p50", "p99"} <= stats
    assert {line[3] for line in metrics if isinstance(line[0], str)} == {"sagemaker-p-abcdefghijkl-prod"}
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    expected = [resolved.get_att(a, "Arn") for a in ALARMS if resolved.exists(a)]
    assert alarm_widget["properties"]["alarms"] == expected


@pytest.mark.parametrize("resource, prop, limit", [
    ("ServerErrorsAlarm", "AlarmName", 255), ("ClientErrorsAlarm", "AlarmName", 255), ("ModelLatencyAlarm", "AlarmName", 255),
    ("ModelSetupTimeAlarm", "AlarmName", 255), ("Dashboard", "DashboardName", 255), ("ScalingPolicy", "PolicyName", 256),
])
def test_operating_resource_names_start_with_the_project_prefix_and_fit_their_limits(resource, prop, limit):
    name = resolve_sub(TEMPLATE["Resources"][resource]["Properties"][prop]["Fn::Sub"])
    assert name.startswith("sagemaker-p-") and "?" not in name and len(name) <= limit
    assert re.fullmatch(r"[A-Za-z0-9_-]+", name)


@pytest.mark.parametrize("good", ["", TOPIC, "arn:aws-cn:sns:cn-north-1:111122223333:t"])
def test_the_topic_parameter_accepts_a_topic_arn_or_nothing(good):
    assert java_full_match(PARAMETERS["NotificationTopicArn"]["AllowedPattern"], good)


@pytest.mark.parametrize("bad", ["arn:aws:sqs:eu-west-1:111122223333:q", "topic", "arn:aws:sns:eu-west-1:1111:t"])
def test_the_topic_parameter_rejects_anything_else(bad):
    assert not java_full_match(PARAMETERS["NotificationTopicArn"]["AllowedPattern"], bad)
