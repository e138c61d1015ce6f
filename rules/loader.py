"""Reads rule files (YAML) into validated rule sets; every error names file, rule and field."""

import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from rules.errors import RuleFileError
from rules.models import IDENTIFIER, VERBS, Rule, RuleSet, Text, allowed_verbs
from rules.policy import POLICIES, Policy


class _RuleFileYamlLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys and reads only true/false as booleans."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            if isinstance(key, str):
                seen.add(key)
        return super().construct_mapping(node, deep)


# YAML 1.1 reads yes/no/on/off as booleans, which turns an answer like `value: no` into
# False; methodologists write true/false when they mean a yes/no value.
_RuleFileYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RuleFileYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _Header(BaseModel):
    """The top level of a rule file; rules are checked one by one afterwards."""

    model_config = ConfigDict(extra="forbid")

    ruleset: Annotated[StrictStr, Field(pattern=IDENTIFIER)]
    description: Text
    policy: Any = None
    rules: list[Any] = Field(min_length=1)


def load_ruleset(path: str | Path) -> RuleSet:
    """Return the rule set in a YAML file, validated; raise RuleFileError naming the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RuleFileError(path, None, None, "the file is not UTF-8 text") from None
    except OSError as exc:
        raise RuleFileError(path, None, None, f"cannot read the file: {exc.strerror}") from None
    return parse_ruleset(text, path)


def builtin_names() -> list[str]:
    """Return the names of the built-in rule sets (the YAML files in rules/data/)."""
    data = files("rules").joinpath("data")
    return sorted(entry.name.removesuffix(".yaml") for entry in data.iterdir()
                  if entry.name.endswith(".yaml"))


@cache
def load_builtin(name: str) -> RuleSet:
    """Return the built-in rule set `name` from rules/data/<name>.yaml, validated (once per
    process: the files ship with the package and do not change while it runs)."""
    data = files("rules").joinpath("data")
    resource = data.joinpath(f"{name}.yaml")
    if not re.fullmatch(IDENTIFIER, name) or not resource.is_file():
        available = sorted(entry.name.removesuffix(".yaml") for entry in data.iterdir()
                           if entry.name.endswith(".yaml"))
        raise RuleFileError(f"{name}.yaml", None, None,
                            f"no built-in rule set {name!r}; available: {', '.join(available)}")
    return parse_ruleset(resource.read_text(encoding="utf-8"), Path(str(resource)))


def parse_ruleset(text: str, path: str | Path) -> RuleSet:
    """Return the rule set in YAML `text`; `path` names the file in errors and fixes its name."""
    path = Path(path)
    header = _parse_header(_read_yaml(text, path), path)
    rules = [_parse_rule(raw, number, header.ruleset, path)
             for number, raw in enumerate(header.rules, start=1)]
    _check_unique_ids(rules, path)
    policy = _parse_policy(header.ruleset, header.policy, path)
    return RuleSet(ruleset=header.ruleset, description=header.description, rules=tuple(rules),
                   policy=policy)


def _parse_policy(ruleset_name: str, raw: Any, path: Path) -> Policy | None:
    """Return the rule set's policy block validated by its model, or None if it takes none."""
    model = POLICIES.get(ruleset_name)
    if model is None:
        if raw is not None:
            raise RuleFileError(path, None, "policy",
                                f"rule set {ruleset_name!r} takes no policy block")
        return None
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        field, message = _first_problem(exc)
        raise RuleFileError(path, None, f"policy.{field}" if field else "policy",
                            message) from None


def _read_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_RuleFileYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleFileError(path, None, None, f"YAML error{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, None, f"YAML error: {exc}") from None


def _parse_header(doc: Any, path: Path) -> _Header:
    if not isinstance(doc, dict):
        raise RuleFileError(path, None, None,
                            "the file must be a mapping with keys ruleset, description, rules")
    try:
        header = _Header.model_validate(doc)
    except ValidationError as exc:
        field, message = _first_problem(exc)
        raise RuleFileError(path, None, field, message) from None
    if header.ruleset != path.stem:
        raise RuleFileError(path, None, "ruleset",
                            f"name {header.ruleset!r} must equal the file name {path.stem!r}")
    return header


def _parse_rule(raw: Any, number: int, ruleset_name: str, path: Path) -> Rule:
    rule_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    if not isinstance(raw, dict):
        raise RuleFileError(path, None, None, "a rule must be a mapping", rule_index=number)
    verb_message = _verb_message(raw.get("then"), ruleset_name)
    if verb_message:
        raise RuleFileError(path, rule_id, "then.action", verb_message, rule_index=number)
    try:
        return Rule.model_validate(raw)
    except ValidationError as exc:
        field, message = _first_problem(exc)
        raise RuleFileError(path, rule_id, field, message, rule_index=number) from None


def _verb_message(then: Any, ruleset_name: str) -> str | None:
    if not isinstance(then, dict):
        return None
    allowed = allowed_verbs(ruleset_name)
    verb = then.get("action")
    if verb is None:
        return f"is required; one of: {', '.join(allowed)}"
    if verb in allowed:
        return None
    if verb in VERBS:
        return (f"action {verb!r} is not allowed in rule set {ruleset_name!r}; "
                f"allowed: {', '.join(allowed)}")
    return f"unknown action {verb!r}; allowed: {', '.join(allowed)}"


def _check_unique_ids(rules: list[Rule], path: Path) -> None:
    first_seen: dict[str, int] = {}
    for number, rule in enumerate(rules, start=1):
        if rule.id in first_seen:
            raise RuleFileError(path, rule.id, "id",
                                f"duplicate id; rule #{first_seen[rule.id]} already uses it",
                                rule_index=number)
        first_seen[rule.id] = number


_MESSAGES = {"missing": "is required", "extra_forbidden": "unknown key",
             "too_short": "must not be empty"}


def _first_problem(exc: ValidationError) -> tuple[str | None, str]:
    """Return the dotted field path and message of the first pydantic error."""
    error = exc.errors(include_url=False)[0]
    return _field_path(error["loc"]) or None, _MESSAGES.get(error["type"], error["msg"])


def _field_path(loc: tuple) -> str:
    # Union tags such as "<all>" or "<score>" are pydantic's bookkeeping, not keys in the file.
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (part.startswith("<") and part.endswith(">")):
            path += f".{part}" if path else part
    return path
