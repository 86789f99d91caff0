"""Command-line plumbing shared by the build scripts: one-line errors, never a stack trace."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "build"
# Written by resolve_model.py, read by package_inference.py and export_configs.py.
MODEL_FILE = BUILD_DIR / "model.json"
# Written by package_inference.py, read by export_configs.py.
INFERENCE_CODE_FILE = BUILD_DIR / "inference-code.json"
# Written by fetch_model.py: the model to deploy (the build's second test run serves it) and its input
# contract (a build output artifact, read by the staging smoke test).
ARTIFACT_FILE = BUILD_DIR / "model.tar.gz"
TRANSFORM_FILE = BUILD_DIR / "transform.json"


class CliError(Exception):
    """A problem the user can fix (arguments, environment, AWS state); printed as one line."""


def require_env(name: str, purpose: str, env: Mapping[str, str] = os.environ) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise CliError(f"environment variable {name} is not set ({purpose})")
    return value


def read_json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"{path} not found ({what})") from None
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON ({what}): {exc}") from None


def write_json_file(path: Path, doc: Any) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def run_main(name: str, main: Callable[[], int | None]) -> int:
    """Run ``main``; known failures print ``<name>: error: <message>`` and return 1."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # tests of scripts that never call AWS
        BotoCoreError = ClientError = CliError  # noqa: N806
    try:
        return main() or 0
    except (CliError, ValueError) as exc:
        message = str(exc)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = f"AWS {exc.operation_name} failed: {error.get('Code', 'Error')}: {error.get('Message', exc)}"
    except BotoCoreError as exc:
        message = f"AWS SDK: {exc}"
    print(f"{name}: error: {' '.join(message.split())}", file=sys.stderr)
    return 1
