"""The alarms, deployment and autoscaling blocks of a stage config: every bad value is one line naming the key."""

import pytest

import stage_config
from stage_config import ConfigError

SERVERLESS = {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}
ALARMS = {"evaluationMinutes": 3, "serverErrorRate": 0.01, "clientErrorRate": 0.1, "modelLatencyP99Ms": 500, "modelSetupTimeMs": 30000}
CANARY = {"trafficRouting": "CANARY", "stepPercent": 50, "waitIntervalSeconds": 600, "terminationWaitSeconds": 300,
          "maximumExecutionTimeoutSeconds": 3600}
SCALING = {"minInstances": 2, "maxInstances": 4, "invocationsPerInstance": 100}


def real_time(count=2, **blocks):
    return {"endpointMode": "RealTime", "realTime": {"instanceType": "ml.m5.large", "instanceCount": count, **blocks}}


def with_alarms(**changes):
    return {"endpointMode": "Serverless", "serverless": SERVERLESS, "alarms": {**ALARMS, **changes}}


def parse(doc):
    return stage_config.parse_stage_config(doc, "config/prod.json")


def test_a_full_real_time_config_becomes_the_template_parameters():
    doc = {**real_time(deployment=CANARY, autoScaling=SCALING), "alarms": ALARMS}
    parameters = parse(doc).template_parameters()
    assert {k: parameters[k] for k in (
        "TrafficRoutingType", "TrafficStepPercent", "WaitIntervalInSeconds", "TerminationWaitInSeconds",
        "MaximumExecutionTimeoutInSeconds", "AutoScalingMinInstances", "AutoScalingMaxInstances",
        "AutoScalingInvocationsPerInstance", "AlarmEvaluationMinutes", "ServerErrorRateThreshold", "ClientErrorRateThreshold",
        "ModelLatencyP99ThresholdMicroseconds", "ModelSetupTimeThresholdMicroseconds")} == {
        "TrafficRoutingType": "CANARY", "TrafficStepPercent": "50", "WaitIntervalInSeconds": "600",
        "TerminationWaitInSeconds": "300", "MaximumExecutionTimeoutInSeconds": "3600", "AutoScalingMinInstances": "2",
        "AutoScalingMaxInstances": "4", "AutoScalingInvocationsPerInstance": "100", "AlarmEvaluationMinutes": "3",
        "ServerErrorRateThreshold": "0.01", "ClientErrorRateThreshold": "0.1",
        "ModelLatencyP99ThresholdMicroseconds": "500000", "ModelSetupTimeThresholdMicroseconds": "30000000"}


def test_without_an_autoscaling_block_the_instance_count_is_fixed():
    assert parse(real_time(count=3)).template_parameters()["AutoScalingMaxInstances"] == "0"


def test_all_at_once_needs_no_step_and_accepts_a_single_instance():
    doc = real_time(count=1, deployment={"trafficRouting": "ALL_AT_ONCE", "terminationWaitSeconds": 0,
                                         "maximumExecutionTimeoutSeconds": 600})
    assert parse(doc).template_parameters()["TrafficRoutingType"] == "ALL_AT_ONCE"


BAD = [
    (with_alarms(serverErrorRate=2), "alarms.serverErrorRate: 2 is out of range 0..1"),
    (with_alarms(serverErrorRate="1%"), "alarms.serverErrorRate: must be a number from 0 to 1, got '1%'"),
    (with_alarms(clientErrorRate=-0.1), "alarms.clientErrorRate: -0.1 is out of range 0..1"),
    (with_alarms(clientErrorRate=True), "alarms.clientErrorRate: must be a number"),
    (with_alarms(modelLatencyP99Ms=0), "alarms.modelLatencyP99Ms: 0 is out of range 1..60000"),
    (with_alarms(modelLatencyP99Ms=0.5), "alarms.modelLatencyP99Ms: must be an integer"),
    (with_alarms(modelSetupTimeMs=999), "alarms.modelSetupTimeMs: 999 is out of range 1000..600000"),
    (with_alarms(evaluationMinutes=31), "alarms.evaluationMinutes: 31 is out of range 1..30"),
    (with_alarms(p99=1), "alarms.p99: unknown key"),
    ({"endpointMode": "Serverless", "serverless": SERVERLESS, "alarms": {"serverErrorRate": 0.1}}, "alarms.evaluationMinutes: missing"),
    ({"endpointMode": "Serverless", "serverless": SERVERLESS, "alarms": []}, "alarms: must be a JSON object"),
    (real_time(deployment={**CANARY, "trafficRouting": "canary"}), "realTime.deployment.trafficRouting: 'canary' is not one of ALL_AT_ONCE, CANARY, LINEAR"),
    (real_time(deployment={"terminationWaitSeconds": 0}), "realTime.deployment.trafficRouting: missing"),
    (real_time(deployment={k: v for k, v in CANARY.items() if k != "stepPercent"}), "realTime.deployment.stepPercent: missing"),
    (real_time(deployment={k: v for k, v in CANARY.items() if k != "waitIntervalSeconds"}), "realTime.deployment.waitIntervalSeconds: missing"),
    (real_time(deployment={"trafficRouting": "ALL_AT_ONCE", "terminationWaitSeconds": 0}),
     "realTime.deployment.maximumExecutionTimeoutSeconds: missing"),
    (real_time(deployment={**CANARY, "stepPercent": 60}), "realTime.deployment.stepPercent: 60 is out of range 1..50"),
    (real_time(deployment={**CANARY, "trafficRouting": "LINEAR", "stepPercent": 5}), "realTime.deployment.stepPercent: 5 is out of range 10..50"),
    (real_time(deployment={**CANARY, "waitIntervalSeconds": 3601}), "realTime.deployment.waitIntervalSeconds: 3601 is out of range 0..3600"),
    (real_time(deployment={**CANARY, "maximumExecutionTimeoutSeconds": 599}),
     "realTime.deployment.maximumExecutionTimeoutSeconds: 599 is out of range 600..28800"),
    (real_time(deployment={**CANARY, "maximumExecutionTimeoutSeconds": 900}),
     "realTime.deployment.maximumExecutionTimeoutSeconds: 900 must exceed the 900 s of baking time"),
    (real_time(deployment={**CANARY, "trafficRouting": "LINEAR", "stepPercent": 20, "waitIntervalSeconds": 600,
                           "terminationWaitSeconds": 0, "maximumExecutionTimeoutSeconds": 2400}),
     "realTime.deployment.maximumExecutionTimeoutSeconds: 2400 must exceed the 2400 s of baking time this deployment waits (4 x"),
    (real_time(count=1, deployment=CANARY), "realTime.deployment.trafficRouting: CANARY needs a fleet of at least 2 instances, "
                                            "but realTime.instanceCount is 1"),
    (real_time(count=1, deployment=CANARY, autoScaling={**SCALING, "minInstances": 1}),
     "but realTime.autoScaling.minInstances is 1"),
    (real_time(deployment={**CANARY, "bake": 1}), "realTime.deployment.bake: unknown key"),
    (real_time(autoScaling={**SCALING, "maxInstances": 1}), "realTime.autoScaling.maxInstances: 1 is below minInstances 2"),
    (real_time(autoScaling={**SCALING, "maxInstances": 11}), "realTime.autoScaling.maxInstances: 11 is out of range 1..10"),
    (real_time(autoScaling={**SCALING, "minInstances": 0}), "realTime.autoScaling.minInstances: 0 is out of range 1..10"),
    (real_time(count=5, autoScaling=SCALING), "realTime.instanceCount: 5 must be within autoScaling minInstances..maxInstances 2..4"),
    (real_time(autoScaling={**SCALING, "invocationsPerInstance": 0}), "realTime.autoScaling.invocationsPerInstance: 0 is out of range 1..100000"),
    (real_time(autoScaling={"minInstances": 2, "maxInstances": 4}), "realTime.autoScaling.invocationsPerInstance: missing"),
    # The real-time block of a serverless stage is validated too, so switching later cannot surprise.
    ({"endpointMode": "Serverless", "serverless": SERVERLESS,
      "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1, "deployment": CANARY}}, "CANARY needs a fleet of at least 2"),
]


@pytest.mark.parametrize("doc, message", BAD, ids=[m[:60] for _, m in BAD])
def test_a_bad_operating_value_is_refused_naming_the_file_and_the_key(doc, message):
    with pytest.raises(ConfigError) as raised:
        parse(doc)
    assert str(raised.value).startswith("config/prod.json: ") and message in str(raised.value)
    assert "\n" not in str(raised.value)
