"""The operating blocks of a stage config: alarms, deployment guardrails and autoscaling.

    "alarms":      {"evaluationMinutes": 3, "serverErrorRate": 0.01, "clientErrorRate": 0.1,
                    "modelLatencyP99Ms": 500, "modelSetupTimeMs": 30000}
    "realTime": {..., "deployment":  {"trafficRouting": "CANARY", "stepPercent": 25, "waitIntervalSeconds": 600,
                                      "terminationWaitSeconds": 600, "maximumExecutionTimeoutSeconds": 3600},
                      "autoScaling": {"minInstances": 2, "maxInstances": 4, "invocationsPerInstance": 100}}

Each block is optional (the defaults below, equal to template.yml's parameter defaults) and, when
present, needs all its keys (stepPercent and waitIntervalSeconds only for CANARY and LINEAR). The
limits equal template.yml's (a test keeps them equal); what CloudFormation cannot check across
parameters is checked here, with the SageMaker rule it follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from config_fields import ConfigError, choice, fraction, integer, json_object

ALARM_EVALUATION_MINUTES_RANGE = (1, 30)
MODEL_LATENCY_P99_MS_RANGE = (1, 60_000)
MODEL_SETUP_TIME_MS_RANGE = (1_000, 600_000)
DEFAULT_ALARMS = {"evaluationMinutes": 3, "serverErrorRate": 0.01, "clientErrorRate": 0.1,
                  "modelLatencyP99Ms": 500, "modelSetupTimeMs": 30_000}

TRAFFIC_ROUTINGS = ("ALL_AT_ONCE", "CANARY", "LINEAR")
STEP_PERCENT_RANGE = (1, 50)  # canary: <= 50% of the fleet (SageMaker TrafficRoutingConfig.CanarySize)
LINEAR_STEP_PERCENT_RANGE = (10, 50)  # linear: 10-50% of the fleet (TrafficRoutingConfig.LinearStepSize)
WAIT_SECONDS_RANGE = (0, 3600)
EXECUTION_TIMEOUT_SECONDS_RANGE = (600, 28_800)
DEFAULT_DEPLOYMENT = {"trafficRouting": "ALL_AT_ONCE", "terminationWaitSeconds": 300, "maximumExecutionTimeoutSeconds": 3600}
# Template defaults of the keys ALL_AT_ONCE does not use.
UNUSED_STEP_PERCENT, UNUSED_WAIT_SECONDS = 25, 300

AUTO_SCALING_INSTANCES_RANGE = (1, 10)
INVOCATIONS_PER_INSTANCE_RANGE = (1, 100_000)


@dataclass(frozen=True)
class Alarms:
    evaluation_minutes: int
    server_error_rate: float
    client_error_rate: float
    model_latency_p99_ms: int
    model_setup_time_ms: int

    def template_parameters(self) -> dict[str, str]:
        # CloudWatch reports ModelLatency and ModelSetupTime in microseconds.
        return {
            "AlarmEvaluationMinutes": str(self.evaluation_minutes),
            "ServerErrorRateThreshold": repr(self.server_error_rate),
            "ClientErrorRateThreshold": repr(self.client_error_rate),
            "ModelLatencyP99ThresholdMicroseconds": str(self.model_latency_p99_ms * 1000),
            "ModelSetupTimeThresholdMicroseconds": str(self.model_setup_time_ms * 1000),
        }


@dataclass(frozen=True)
class Deployment:
    traffic_routing: str
    step_percent: int
    wait_interval_seconds: int
    termination_wait_seconds: int
    maximum_execution_timeout_seconds: int

    def template_parameters(self) -> dict[str, str]:
        return {
            "TrafficRoutingType": self.traffic_routing,
            "TrafficStepPercent": str(self.step_percent),
            "WaitIntervalInSeconds": str(self.wait_interval_seconds),
            "TerminationWaitInSeconds": str(self.termination_wait_seconds),
            "MaximumExecutionTimeoutInSeconds": str(self.maximum_execution_timeout_seconds),
        }


@dataclass(frozen=True)
class AutoScaling:
    min_instances: int
    max_instances: int  # 0 = no autoscaling
    invocations_per_instance: int

    @property
    def enabled(self) -> bool:
        return self.max_instances > 0

    def template_parameters(self) -> dict[str, str]:
        return {
            "AutoScalingMinInstances": str(self.min_instances),
            "AutoScalingMaxInstances": str(self.max_instances),
            "AutoScalingInvocationsPerInstance": str(self.invocations_per_instance),
        }


NO_AUTO_SCALING = AutoScaling(min_instances=1, max_instances=0, invocations_per_instance=100)


def parse_alarms(doc) -> Alarms:
    where = "alarms"
    block = json_object(doc, where, tuple(DEFAULT_ALARMS), tuple(DEFAULT_ALARMS))
    return Alarms(
        evaluation_minutes=integer(block, "evaluationMinutes", where, *ALARM_EVALUATION_MINUTES_RANGE),
        server_error_rate=fraction(block, "serverErrorRate", where),
        client_error_rate=fraction(block, "clientErrorRate", where),
        model_latency_p99_ms=integer(block, "modelLatencyP99Ms", where, *MODEL_LATENCY_P99_MS_RANGE),
        model_setup_time_ms=integer(block, "modelSetupTimeMs", where, *MODEL_SETUP_TIME_MS_RANGE),
    )


def parse_deployment(doc, instance_count: int, auto_scaling: AutoScaling) -> Deployment:
    where = "realTime.deployment"
    keys = ("trafficRouting", "stepPercent", "waitIntervalSeconds", "terminationWaitSeconds", "maximumExecutionTimeoutSeconds")
    block = json_object(doc, where, keys, ("trafficRouting",))
    routing = choice(block, "trafficRouting", where, TRAFFIC_ROUTINGS)
    in_steps = routing != "ALL_AT_ONCE"
    json_object(block, where, keys, keys if in_steps else ("trafficRouting", "terminationWaitSeconds", "maximumExecutionTimeoutSeconds"))
    step = UNUSED_STEP_PERCENT
    wait = UNUSED_WAIT_SECONDS
    shifts_before_the_last = 0
    if in_steps:
        step = integer(block, "stepPercent", where, *(STEP_PERCENT_RANGE if routing == "CANARY" else LINEAR_STEP_PERCENT_RANGE))
        wait = integer(block, "waitIntervalSeconds", where, *WAIT_SECONDS_RANGE)
        shifts_before_the_last = 1 if routing == "CANARY" else math.ceil(100 / step) - 1
        # A share of one instance is no canary: SageMaker sizes steps as a share of the fleet, at most half of it.
        smallest_fleet = auto_scaling.min_instances if auto_scaling.enabled else instance_count
        if smallest_fleet < 2:
            fleet_key = "realTime.autoScaling.minInstances" if auto_scaling.enabled else "realTime.instanceCount"
            raise ConfigError(f"{where}.trafficRouting: {routing} needs a fleet of at least 2 instances, "
                              f"but {fleet_key} is {smallest_fleet} (use ALL_AT_ONCE for a single instance)")
    termination = integer(block, "terminationWaitSeconds", where, *WAIT_SECONDS_RANGE)
    timeout = integer(block, "maximumExecutionTimeoutSeconds", where, *EXECUTION_TIMEOUT_SECONDS_RANGE)
    # SageMaker BlueGreenUpdatePolicy: the timeout must exceed the waiting times it contains.
    waiting = wait * shifts_before_the_last + termination
    if timeout <= waiting:
        raise ConfigError(f"{where}.maximumExecutionTimeoutSeconds: {timeout} must exceed the {waiting} s of baking time "
                          f"this deployment waits ({shifts_before_the_last} x waitIntervalSeconds + terminationWaitSeconds)")
    return Deployment(routing, step, wait, termination, timeout)


def parse_auto_scaling(doc, instance_count: int) -> AutoScaling:
    where = "realTime.autoScaling"
    keys = ("minInstances", "maxInstances", "invocationsPerInstance")
    block = json_object(doc, where, keys, keys)
    low = integer(block, "minInstances", where, *AUTO_SCALING_INSTANCES_RANGE)
    high = integer(block, "maxInstances", where, *AUTO_SCALING_INSTANCES_RANGE)
    if high < low:
        raise ConfigError(f"{where}.maxInstances: {high} is below minInstances {low}")
    if not low <= instance_count <= high:
        raise ConfigError(f"realTime.instanceCount: {instance_count} must be within autoScaling "
                          f"minInstances..maxInstances {low}..{high} (it is the count a new endpoint starts with)")
    return AutoScaling(low, high, integer(block, "invocationsPerInstance", where, *INVOCATIONS_PER_INSTANCE_RANGE))
