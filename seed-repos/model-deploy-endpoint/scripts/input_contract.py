"""The deployed model's input contract, read from its transform.json with the standard library only.

The build copies transform.json out of the model artifact it deploys (fetch_model.py) into its
output artifact; the staging smoke test reads it from there (smoke_test.py). The serving code
(inference/transform.py, inference/request.py) reads the same file, with numpy, when the endpoint
starts; this reader checks only what the smoke test relies on, and says to retrain when the
model predates schema version 2.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli import CliError

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class InputContract:
    fields: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]  # numeric field -> accepted (minimum, maximum)
    categories: dict[str, tuple[str, ...]]  # categorical field -> allowed values
    examples: tuple[dict, ...]              # valid request records


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def parse_contract(doc: Any, where: str = "transform.json") -> InputContract:
    def require(condition: bool, message: str) -> None:
        if not condition:
            raise CliError(f"{where}: {message}")

    require(isinstance(doc, dict), "must hold a JSON object")
    require(doc.get("schema_version") == SCHEMA_VERSION,
            f"schema_version is {doc.get('schema_version')!r}, not {SCHEMA_VERSION}: retrain and register the model "
            "with the current ModelBuild, whose preprocessing step writes the input contract")
    fields, numeric, categorical, examples = (doc.get(k) for k in ("input_fields", "numeric", "categorical", "examples"))
    require(isinstance(fields, list) and fields and all(isinstance(f, str) for f in fields),
            "input_fields must be a non-empty list of field names")
    require(isinstance(numeric, dict) and isinstance(categorical, dict), "numeric and categorical must be objects")
    require(set(numeric) | set(categorical) == set(fields), "every input field must be in numeric or categorical")
    bounds = {}
    for field in (f for f in fields if f in numeric):
        stats = numeric[field]
        require(isinstance(stats, dict) and _number(stats.get("minimum")) and _number(stats.get("maximum"))
                and stats["minimum"] <= stats["maximum"], f"numeric.{field} must have numbers minimum <= maximum")
        bounds[field] = (stats["minimum"], stats["maximum"])
    categories = {}
    for field in (f for f in fields if f in categorical):
        values = categorical[field]
        require(isinstance(values, list) and values and all(isinstance(v, str) for v in values),
                f"categorical.{field} must be a non-empty list of strings")
        categories[field] = tuple(values)
    require(isinstance(examples, list) and examples, "examples must be a non-empty list of request records")
    for index, example in enumerate(examples):
        require(isinstance(example, dict) and sorted(example) == sorted(fields),
                f"examples[{index}] must have exactly the input fields {', '.join(fields)}")
    return InputContract(tuple(fields), bounds, categories, tuple(examples))


def read_contract(path: Path) -> InputContract:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"{path} not found (the deployed model's transform.json, which the build puts into its output "
                       "artifact)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from None
    return parse_contract(doc, str(path))
