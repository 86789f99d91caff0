"""The per-stage endpoint configuration in config/<stage>.json, and its validation.

    {"endpointMode": "Serverless" | "RealTime",
     "serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0},
     "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1,
                  "deployment": {...}, "autoScaling": {...}},      (both optional: stage_operations.py)
     "alarms": {...}}                                              (optional: stage_operations.py)

The block of the chosen mode is required; the other one is optional (kept for switching) and
validated just the same. The limits equal template.yml's AllowedValues/MinValue/MaxValue
(a test keeps them equal); what CloudFormation cannot check, provisioned concurrency <= max
concurrency, is checked only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli import read_json_file
from config_fields import TOP_LEVEL, ConfigError, choice, integer, json_object
from stage_operations import (DEFAULT_ALARMS, DEFAULT_DEPLOYMENT, NO_AUTO_SCALING, Alarms, AutoScaling, Deployment,
                              parse_alarms, parse_auto_scaling, parse_deployment)

STAGES = ("staging", "prod")
ENDPOINT_MODES = ("Serverless", "RealTime")
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_CONCURRENCY_RANGE = (1, 200)
PROVISIONED_CONCURRENCY_RANGE = (0, 200)  # 0 = no provisioned concurrency
INSTANCE_TYPES = ("ml.t2.medium", "ml.t2.large", "ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge",
                  "ml.c5.large", "ml.c5.xlarge", "ml.c5.2xlarge")
INSTANCE_COUNT_RANGE = (1, 10)
# Used for the block a config leaves out; equal to the template's parameter defaults.
DEFAULT_SERVERLESS = {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0}
DEFAULT_REAL_TIME = {"instanceType": "ml.m5.large", "instanceCount": 1}
BLOCK_OF_MODE = {"Serverless": "serverless", "RealTime": "realTime"}
REAL_TIME_KEYS = (*DEFAULT_REAL_TIME, "deployment", "autoScaling")


@dataclass(frozen=True)
class StageConfig:
    endpoint_mode: str
    memory_size_in_mb: int
    max_concurrency: int
    provisioned_concurrency: int
    instance_type: str
    instance_count: int
    alarms: Alarms
    deployment: Deployment
    auto_scaling: AutoScaling

    def template_parameters(self) -> dict[str, str]:
        """The stage's parameters of template.yml, as CloudFormation strings."""
        return {
            **self.alarms.template_parameters(),
            **self.deployment.template_parameters(),
            **self.auto_scaling.template_parameters(),
            "EndpointMode": self.endpoint_mode,
            "ServerlessMemorySizeInMB": str(self.memory_size_in_mb),
            "ServerlessMaxConcurrency": str(self.max_concurrency),
            "ServerlessProvisionedConcurrency": str(self.provisioned_concurrency),
            "InstanceType": self.instance_type,
            "InstanceCount": str(self.instance_count),
        }


def parse_stage_config(doc: Any, source: str) -> StageConfig:
    """Validate one stage config; ConfigError reads "<source>: <key path>: <problem>"."""
    try:
        return _parse(doc)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _parse(doc: Any) -> StageConfig:
    top = json_object(doc, TOP_LEVEL, ("endpointMode", "serverless", "realTime", "alarms"), ("endpointMode",))
    mode = choice(top, "endpointMode", TOP_LEVEL, ENDPOINT_MODES)
    if BLOCK_OF_MODE[mode] not in top:
        raise ConfigError(f"{BLOCK_OF_MODE[mode]}: missing (required when endpointMode is {mode})")
    where = "serverless"
    serverless = json_object(top.get("serverless", DEFAULT_SERVERLESS), where, tuple(DEFAULT_SERVERLESS), tuple(DEFAULT_SERVERLESS))
    memory = choice(serverless, "memorySizeInMB", where, SERVERLESS_MEMORY_SIZES)
    max_concurrency = integer(serverless, "maxConcurrency", where, *MAX_CONCURRENCY_RANGE)
    provisioned = integer(serverless, "provisionedConcurrency", where, *PROVISIONED_CONCURRENCY_RANGE)
    if provisioned > max_concurrency:
        raise ConfigError(f"{where}.provisionedConcurrency: {provisioned} exceeds maxConcurrency {max_concurrency}")
    where = "realTime"
    real_time = json_object(top.get("realTime", DEFAULT_REAL_TIME), where, REAL_TIME_KEYS, tuple(DEFAULT_REAL_TIME))
    instance_type = choice(real_time, "instanceType", where, INSTANCE_TYPES)
    instance_count = integer(real_time, "instanceCount", where, *INSTANCE_COUNT_RANGE)
    auto_scaling = parse_auto_scaling(real_time["autoScaling"], instance_count) if "autoScaling" in real_time else NO_AUTO_SCALING
    return StageConfig(
        endpoint_mode=mode,
        memory_size_in_mb=memory,
        max_concurrency=max_concurrency,
        provisioned_concurrency=provisioned,
        instance_type=instance_type,
        instance_count=instance_count,
        alarms=parse_alarms(top.get("alarms", DEFAULT_ALARMS)),
        deployment=parse_deployment(real_time.get("deployment", DEFAULT_DEPLOYMENT), instance_count, auto_scaling),
        auto_scaling=auto_scaling,
    )


def load_stage_config(path: Path) -> StageConfig:
    return parse_stage_config(read_json_file(path, "stage config"), str(path))
