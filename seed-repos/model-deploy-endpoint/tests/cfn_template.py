"""template.yml read with cfn-lint's own YAML loader (it understands !Ref, !Sub, ...)."""

from pathlib import Path

from cfnlint.decode import cfn_yaml

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yml"


def load_template() -> dict:
    return cfn_yaml.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))
