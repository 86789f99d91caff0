"""The per-stage endpoint configuration in config/<stage>.json, and its validation.

    {"endpointMode": "Serverless" | "RealTime",
     "serverless": {"memorySizeInMB": 2048, "maxConcurrency": 5, "provisionedConcurrency": 0},
     "realTime": {"instanceType": "ml.m5.large", "instanceCount": 1}}

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
TOP_LEVEL = "(top level)"


class ConfigError(ValueError):
    """A stage config is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class StageConfig:
    endpoint_mode: str
    memory_size_in_mb: int
    max_concurrency: int
    provisioned_concurrency: int
    instance_type: str
    instance_count: int

    def template_parameters(self) -> dict[str, str]:
        """The sizing parameters of template.yml, as CloudFormation strings."""
        return {
            "EndpointMode": self.endpoint_mode,
            "ServerlessMemorySizeInMB": str(self.memory_size_in_mb),
            "ServerlessMaxConcurrency": str(self.max_concurrency),
            "ServerlessProvisionedConcurrency": str(self.provisioned_concurrency),
            "InstanceType": self.instance_type,
            "InstanceCount": str(self.instance_count),
        }


def _object(doc: Any, where: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
    prefix = "" if where == TOP_LEVEL else f"{where}."
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    unknown = [k for k in doc if k not in keys]
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}: unknown key (allowed: {', '.join(keys)})")
    missing = [k for k in required if k not in doc]
    if missing:
        raise ConfigError(f"{prefix}{missing[0]}: missing")
    return doc


def _key(where: str, key: str) -> str:
    return key if where == TOP_LEVEL else f"{where}.{key}"


def _integer(doc: dict, key: str, where: str, low: int, high: int) -> int:
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{_key(where, key)}: must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{_key(where, key)}: {value} is out of range {low}..{high}")
    return value


def _choice(doc: dict, key: str, where: str, allowed: tuple) -> Any:
    value = doc[key]
    if value not in allowed or isinstance(value, bool):
        raise ConfigError(f"{_key(where, key)}: {value!r} is not one of {', '.join(map(str, allowed))}")
    return value


def parse_stage_config(doc: Any, source: str) -> StageConfig:
    """Validate one stage config; ConfigError reads "<source>: <key path>: <problem>"."""
    try:
        return _parse(doc)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _parse(doc: Any) -> StageConfig:
    top = _object(doc, TOP_LEVEL, ("endpointMode", "serverless", "realTime"), ("endpointMode",))
    mode = _choice(top, "endpointMode", TOP_LEVEL, ENDPOINT_MODES)
    if BLOCK_OF_MODE[mode] not in top:
        raise ConfigError(f"{BLOCK_OF_MODE[mode]}: missing (required when endpointMode is {mode})")
    where = "serverless"
    serverless = _object(top.get("serverless", DEFAULT_SERVERLESS), where, tuple(DEFAULT_SERVERLESS), tuple(DEFAULT_SERVERLESS))
    memory = _choice(serverless, "memorySizeInMB", where, SERVERLESS_MEMORY_SIZES)
    max_concurrency = _integer(serverless, "maxConcurrency", where, *MAX_CONCURRENCY_RANGE)
    provisioned = _integer(serverless, "provisionedConcurrency", where, *PROVISIONED_CONCURRENCY_RANGE)
    if provisioned > max_concurrency:
        raise ConfigError(f"{where}.provisionedConcurrency: {provisioned} exceeds maxConcurrency {max_concurrency}")
    where = "realTime"
    real_time = _object(top.get("realTime", DEFAULT_REAL_TIME), where, tuple(DEFAULT_REAL_TIME), tuple(DEFAULT_REAL_TIME))
    return StageConfig(
        endpoint_mode=mode,
        memory_size_in_mb=memory,
        max_concurrency=max_concurrency,
        provisioned_concurrency=provisioned,
        instance_type=_choice(real_time, "instanceType", where, INSTANCE_TYPES),
        instance_count=_integer(real_time, "instanceCount", where, *INSTANCE_COUNT_RANGE),
    )


def load_stage_config(path: Path) -> StageConfig:
    return parse_stage_config(read_json_file(path, "stage config"), str(path))
