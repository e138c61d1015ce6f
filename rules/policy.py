"""The numbers of each rule set's policy (weights, thresholds, probability levels, orders of
steps): declared in the rule file's `policy:` block and validated here, so that Python holds
none of them.

Each rule set that has a policy registers its model in POLICIES; the loader validates the
file's block against it and names file and field on any problem.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class Policy(BaseModel):
    """Base of every rule set's policy: strict and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# rule set name -> its policy model (a rule set missing here takes no `policy:` block).
POLICIES: dict[str, type[Policy]] = {}


# --- smart.yaml -----------------------------------------------------------------------------

Share = Annotated[float, Field(gt=0, lt=1)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
PACES = ("fast", "moderate", "slow")
STAGES = ("startup", "growth", "mature")
Pace = Literal["fast", "moderate", "slow"]
Stage = Literal["startup", "growth", "mature"]


class PaceChange(Policy):
    """How far a KPI of one pace can honestly move in a year, in its favourable direction."""

    # Most a level (count, money, rate) can grow in a year, as a share: 1.0 is doubling.
    rise: Positive
    # Most a level can shrink in a year, as a share: 0.5 is halving.
    fall: Share
    # Most a bounded score (a rating, NPS) can move in a year, as a share of its whole scale.
    scale_share: Annotated[float, Field(gt=0, le=1)]
    # The shortest horizon counted, in years: a process change is a step, not a drift.
    floor_years: Positive
    # Whether the client's stage (startup, growth, mature) scales this pace.
    by_stage: bool


class Plausibility(Policy):
    """The plausible change of a target by its deadline, by pace and stage or from history."""

    paces: dict[Pace, PaceChange]
    # The pace of a custom KPI (the catalog knows none for it).
    custom_pace: Pace
    # Multiplies the yearly change (in log terms) of the paces that depend on stage.
    stage_factor: dict[Stage, Positive]
    # The stage assumed when the plan does not say.
    unknown_stage: Stage
    # Values of history needed before the history, not the pace, sets the plausible range.
    history_min_points: Annotated[int, Field(ge=3, le=100)]
    # Spreads of the period-to-period change beyond the trend still called plausible.
    history_z: Positive

    @model_validator(mode="after")
    def _every_pace_and_stage(self) -> "Plausibility":
        missing = [p for p in PACES if p not in self.paces]
        missing += [s for s in STAGES if s not in self.stage_factor]
        if missing:
            raise ValueError(f"missing entries for {', '.join(missing)}")
        return self


class Targets(Policy):
    """How the check suggests a better target: a level short of perfection, a range."""

    # A suggested level closes this share of the gap between the baseline and perfection.
    perfection_gap_share: Share
    # Without a baseline, the suggested level stays this share of the scale short of it.
    perfection_margin_share: Share
    # An in-range KPI given one number: the suggested range is the number ± this share of it.
    range_half_width_share: Share


class Timing(Policy):
    """When a measurement counts before the deadline and how milestones are spaced."""

    # The current period counts as a reading when at most this share of it has passed.
    period_counts_when_passed_at_most: Share
    # A horizon of at least this many months gets quarterly checkpoints; a shorter one monthly.
    quarterly_checkpoints_from_months: Annotated[int, Field(ge=2, le=24)]


class Wording(Policy):
    """Words that make a custom KPI's statement vague, and words that name a measure."""

    # Verbs and comparatives that say "do better" without saying what is counted.
    vague: dict[Literal["vi", "en"], list[Word]]
    # Words that name what is counted or measured (number, rate, share, cost, time, ...).
    measures: dict[Literal["vi", "en"], list[Word]]

    @model_validator(mode="after")
    def _both_languages(self) -> "Wording":
        for name in ("vague", "measures"):
            lists = getattr(self, name)
            if set(lists) != {"vi", "en"} or not all(lists.values()):
                raise ValueError(f"{name} lists words in vi and en, neither empty")
        return self


class SmartPolicy(Policy):
    """The numbers and word lists of the SMART check (rules/data/smart.yaml)."""

    plausibility: Plausibility
    targets: Targets
    timing: Timing
    wording: Wording


POLICIES["smart"] = SmartPolicy
