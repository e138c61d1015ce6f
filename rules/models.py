"""The rule language as strict pydantic models: rule sets, conditions, actions and texts."""

from __future__ import annotations

import hashlib
import math
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rules.errors import EngineError

IDENTIFIER = r"^[a-z][a-z0-9_]*$"

OPS: tuple[str, ...] = (
    "eq", "ne", "in", "not_in", "contains", "not_contains",
    "gt", "gte", "lt", "lte", "exists", "missing",
)
Op = Literal[
    "eq", "ne", "in", "not_in", "contains", "not_contains",
    "gt", "gte", "lt", "lte", "exists", "missing",
]
SCALAR_OPS = frozenset({"eq", "ne"})
LIST_OPS = frozenset({"in", "not_in"})
ITEM_OPS = frozenset({"contains", "not_contains"})
NUMBER_OPS = frozenset({"gt", "gte", "lt", "lte"})
PRESENCE_OPS = frozenset({"exists", "missing"})

VERBS: tuple[str, ...] = (
    "ask", "skip", "score", "require", "exclude", "flag", "pair_with", "gap", "suggest",
)
ALLOWED_VERBS: dict[str, tuple[str, ...]] = {
    "interview": ("ask", "skip"),
    "recommend": ("score", "require", "exclude", "flag", "pair_with"),
    "smart": ("gap",),
    "review": ("suggest", "flag"),
}

Scalar = StrictStr | StrictBool | StrictInt | StrictFloat
P = TypeVar("P")


def allowed_verbs(ruleset_name: str) -> tuple[str, ...]:
    """Return the action verbs a rule set of this name may use (every verb for other names)."""
    return ALLOWED_VERBS.get(ruleset_name, VERBS)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return text


NonBlank = Annotated[StrictStr, AfterValidator(_not_blank)]
FiniteNumber = Annotated[StrictFloat, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text a person reads, in Vietnamese and English; both are required and non-empty."""

    vi: NonBlank
    en: NonBlank

    def pick(self, lang: str) -> str:
        """Return the text in `lang` ("vi" or "en")."""
        return self.vi if lang == "vi" else self.en


# --- Conditions -----------------------------------------------------------------------------


def kind_of(value: object) -> str:
    """Return the kind of a fact or rule value: text, number, yes/no, list or other."""
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _value_error(op: str, needs: str, value: object) -> PydanticCustomError:
    if value is None:
        return PydanticCustomError(
            "value_for_op", "op '{op}' needs {needs} as value; none given",
            {"op": op, "needs": needs})
    return PydanticCustomError(
        "value_for_op",
        "op '{op}' needs {needs} as value, got {got} ({kind})",
        {"op": op, "needs": needs, "got": repr(value), "kind": kind_of(value)},
    )


def _is_scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | bool | int)


def check_value(op: str, value: object) -> Any:
    """Return `value` checked for `op` (lists become tuples); raise a pydantic error if wrong."""
    if op in PRESENCE_OPS:
        if value is not None:
            raise PydanticCustomError(
                "value_for_op", "op '{op}' takes no value; remove it", {"op": op})
        return None
    if op in NUMBER_OPS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not _is_scalar(value):
            raise _value_error(op, "a number", value)
        return value
    if op in ITEM_OPS:
        if not isinstance(value, str):
            raise _value_error(op, "a text (lists hold texts)", value)
        return value
    if op in SCALAR_OPS:
        if not _is_scalar(value):
            raise _value_error(op, "a text, number or true/false", value)
        return value
    return _check_list(op, value)


def _check_list(op: str, value: object) -> tuple:
    if not isinstance(value, list | tuple) or not value:
        raise _value_error(op, "a non-empty list", value)
    if not all(_is_scalar(item) for item in value):
        raise _value_error(op, "a list of texts, numbers or true/false", value)
    kinds = {kind_of(item) for item in value}
    if len(kinds) > 1:
        raise PydanticCustomError(
            "value_for_op", "op '{op}' needs list items of one kind, got {kinds}",
            {"op": op, "kinds": ", ".join(sorted(kinds))})
    return tuple(value)


class FieldTest(_Strict):
    """One test on one field of a fact, e.g. `{field: stage, op: in, value: [startup]}`."""

    field: Annotated[StrictStr, Field(pattern=IDENTIFIER)]
    op: Op
    value: Scalar | tuple[Scalar, ...] | None = Field(default=None, validate_default=True)

    @field_validator("op", mode="before")
    @classmethod
    def _known_op(cls, op: object) -> object:
        if op not in OPS:
            raise PydanticCustomError(
                "unknown_op", "unknown op {op}; allowed: {allowed}",
                {"op": repr(op), "allowed": ", ".join(OPS)})
        return op

    @field_validator("value", mode="before")
    @classmethod
    def _value_fits_op(cls, value: object, info: ValidationInfo) -> object:
        op = info.data.get("op")
        return value if op is None else check_value(op, value)


class AllOf(_Strict):
    """True when every inner condition is true."""

    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(_Strict):
    """True when at least one inner condition is true."""

    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(_Strict):
    """True when the inner condition is false (a missing field makes a test false)."""

    not_: Condition = Field(alias="not")


_GROUP_KEYS = {"all": "<all>", "any": "<any>", "not": "<not>"}
_TEST_KEYS = {"field", "op", "value"}
_TAG_OF_MODEL = {FieldTest: "<test>", AllOf: "<all>", AnyOf: "<any>", NotOf: "<not>"}


def _condition_tag(raw: Any) -> str | None:
    if isinstance(raw, BaseModel):
        return _TAG_OF_MODEL.get(type(raw))
    if not isinstance(raw, dict):
        return None
    groups = [key for key in raw if key in _GROUP_KEYS]
    if len(groups) == 1 and not _TEST_KEYS & raw.keys():
        return _GROUP_KEYS[groups[0]]
    return "<test>" if not groups else None


Condition = Annotated[
    Annotated[FieldTest, Tag("<test>")]
    | Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[NotOf, Tag("<not>")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message="a condition is exactly one of all, any, not, or a test "
        "with field and op",
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()

# --- Actions --------------------------------------------------------------------------------


class Ask(_Strict):
    """Ask the named interview question."""

    action: Literal["ask"]
    question: NonBlank


class Skip(_Strict):
    """Skip the named interview question."""

    action: Literal["skip"]
    question: NonBlank


class Score(_Strict):
    """Add points (negative to subtract) to the KPI in the fact."""

    action: Literal["score"]
    points: FiniteNumber


class Require(_Strict):
    """Keep the KPI in the fact whatever its score."""

    action: Literal["require"]


class Exclude(_Strict):
    """Leave the KPI in the fact out of the recommendation."""

    action: Literal["exclude"]


class Flag(_Strict):
    """Attach a warning code to the fact's subject."""

    action: Literal["flag"]
    code: NonBlank


class PairWith(_Strict):
    """Recommend the named KPI alongside the KPI in the fact."""

    action: Literal["pair_with"]
    kpi: NonBlank


class Gap(_Strict):
    """Report a SMART (or ownership, measurement, reporting, plan) gap in a plan."""

    action: Literal["gap"]
    letter: Literal["S", "M", "A", "R", "T", "owner", "measurement", "reporting", "plan"]
    code: NonBlank
    severity: Literal["error", "warning"]
    fields: tuple[NonBlank, ...] = Field(min_length=1)
    fix: Text


class Suggest(_Strict):
    """Suggest what to do with a KPI target after a review."""

    action: Literal["suggest"]
    suggestion: Literal["raise", "lower", "keep", "investigate", "change_process"]


_ACTION_MODELS: dict[str, type[BaseModel]] = {
    "ask": Ask, "skip": Skip, "score": Score, "require": Require, "exclude": Exclude,
    "flag": Flag, "pair_with": PairWith, "gap": Gap, "suggest": Suggest,
}


def _action_tag(raw: Any) -> str | None:
    verb = raw.get("action") if isinstance(raw, dict) else getattr(raw, "action", None)
    return f"<{verb}>" if verb in _ACTION_MODELS else None


Action = Annotated[
    Annotated[Ask, Tag("<ask>")]
    | Annotated[Skip, Tag("<skip>")]
    | Annotated[Score, Tag("<score>")]
    | Annotated[Require, Tag("<require>")]
    | Annotated[Exclude, Tag("<exclude>")]
    | Annotated[Flag, Tag("<flag>")]
    | Annotated[PairWith, Tag("<pair_with>")]
    | Annotated[Gap, Tag("<gap>")]
    | Annotated[Suggest, Tag("<suggest>")],
    Discriminator(
        _action_tag,
        custom_error_type="unknown_action",
        custom_error_message="unknown action; allowed: " + ", ".join(VERBS),
    ),
]

AnyAction = TypeVar("AnyAction", Ask, Skip, Score, Require, Exclude, Flag, PairWith, Gap, Suggest)


def action_as(action: Action, model: type[AnyAction]) -> AnyAction:
    """Return `action` narrowed to `model`; raise EngineError when a rule gave another verb."""
    if not isinstance(action, model):
        raise EngineError(f"expected a {model.__name__} action, got {action.action!r}")
    return action


# --- Rules and rule sets --------------------------------------------------------------------


class Rule(_Strict):
    """One rule: when a fact meets the condition, the action fires with a bilingual reason."""

    id: Annotated[StrictStr, Field(pattern=IDENTIFIER)]
    description: StrictStr | None = None
    priority: StrictInt = 0
    when: Condition
    then: Action
    reason: Text


class RuleSet(_Strict):
    """A named, ordered list of rules with a bilingual description."""

    ruleset: Annotated[StrictStr, Field(pattern=IDENTIFIER)]
    description: Text
    rules: tuple[Rule, ...] = Field(min_length=1)
    # The rule set's numbers (a rules.policy.Policy model), when it has any.
    policy: Any = None
    _digest: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _rules_fit_the_set(self) -> RuleSet:
        problem = duplicate_id_problem(self.rules) or verb_problem(self.ruleset, self.rules)
        if problem:
            raise ValueError(problem)
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Compute the content digest once; the model is frozen, so it never goes stale."""
        text = self.model_dump_json(by_alias=True)
        self._digest = hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def digest(self) -> str:
        """Return a SHA-256 of the rule set's content (same rules, same digest)."""
        return self._digest

    def policy_as(self, model: type[P]) -> P:
        """Return the rule set's policy, checked to be a `model`."""
        if not isinstance(self.policy, model):
            raise EngineError(f"rule set {self.ruleset!r} has no {model.__name__} policy")
        return self.policy


def duplicate_id_problem(rules: tuple[Rule, ...] | list[Rule]) -> str | None:
    """Return a message naming the first repeated rule id, or None when ids are unique."""
    first_seen: dict[str, int] = {}
    for number, rule in enumerate(rules, start=1):
        if rule.id in first_seen:
            return (f"rule {rule.id!r} (#{number}): duplicate id; "
                    f"rule #{first_seen[rule.id]} already uses it")
        first_seen[rule.id] = number
    return None


def verb_problem(ruleset_name: str, rules: tuple[Rule, ...] | list[Rule]) -> str | None:
    """Return a message naming the first rule whose action verb the rule set may not use."""
    allowed = allowed_verbs(ruleset_name)
    for number, rule in enumerate(rules, start=1):
        if rule.then.action not in allowed:
            return (f"rule {rule.id!r} (#{number}): then.action: action "
                    f"{rule.then.action!r} is not allowed in rule set {ruleset_name!r}; "
                    f"allowed: {', '.join(allowed)}")
    return None
