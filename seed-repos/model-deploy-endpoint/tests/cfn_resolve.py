"""template.yml evaluated at concrete parameters: conditions, Ref, Fn::Sub, Fn::If, Fn::Join, Fn::GetAtt.

Enough of CloudFormation's intrinsic functions to read what a property becomes for one stage (the
dashboard body, the deployment config); an intrinsic it does not know fails the test that uses it.
"""

from __future__ import annotations

import re

NO_VALUE = object()
PSEUDO = {"AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333", "AWS::Partition": "aws"}


class Resolved:
    def __init__(self, template: dict, parameters: dict[str, str]):
        self.template = template
        self.parameters = {name: str(parameters.get(name, spec.get("Default", ""))) for name, spec in template["Parameters"].items()}
        self.conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = self._test(self.template["Conditions"][name])
        return self.conditions[name]

    def _test(self, expression) -> bool:
        [(fn, arg)] = expression.items()
        if fn == "Fn::Equals":
            return str(self.value(arg[0])) == str(self.value(arg[1]))
        if fn == "Fn::Not":
            return not self._test(arg[0])
        if fn == "Fn::And":
            return all(self._test(a) for a in arg)
        if fn == "Fn::Or":
            return any(self._test(a) for a in arg)
        if fn == "Condition":
            return self.condition(arg)
        raise ValueError(f"unsupported condition function {fn}")

    def exists(self, logical_id: str) -> bool:
        condition = self.template["Resources"][logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def ref(self, name: str):
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.template["Resources"][name]
        if resource["Type"] == "AWS::CloudWatch::Alarm":  # Ref of an alarm is its name
            return self.value(resource["Properties"]["AlarmName"])
        return f"<Ref {name}>"

    def get_att(self, logical_id: str, attribute: str) -> str:
        resource = self.template["Resources"][logical_id]
        if not self.exists(logical_id):
            raise ValueError(f"{logical_id} does not exist at these parameters")
        if resource["Type"] == "AWS::CloudWatch::Alarm" and attribute == "Arn":
            return f"arn:aws:cloudwatch:{PSEUDO['AWS::Region']}:{PSEUDO['AWS::AccountId']}:alarm:{self.ref(logical_id)}"
        if attribute in resource.get("Properties", {}):
            return self.value(resource["Properties"][attribute])
        raise ValueError(f"no rule for Fn::GetAtt {logical_id}.{attribute}")

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            [(fn, arg)] = node.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if fn == "Fn::Join":
                return arg[0].join(self.value(arg[1]))
            if fn == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical_id, attribute)
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                bound = {k: self.value(v) for k, v in variables.items()}

                def substitute(match):
                    name = match.group(1)
                    if name in bound:
                        return str(bound[name])
                    if "." in name:
                        return str(self.get_att(*name.split(".", 1)))
                    return str(self.ref(name))
                return re.sub(r"\$\{([^}!]+)\}", substitute, text)
            if fn.startswith("Fn::"):
                raise ValueError(f"unsupported intrinsic {fn}")
        out = {}
        for key, child in node.items():
            resolved = self.value(child)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out
