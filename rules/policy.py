"""The numbers of each rule set's policy (weights, thresholds, probability levels, orders of
steps): declared in the rule file's `policy:` block and validated here, so that Python holds
none of them.

Each rule set that has a policy registers its model in POLICIES; the loader validates the
file's block against it and names file and field on any problem.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Policy(BaseModel):
    """Base of every rule set's policy: strict and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- review ----------------------------------------------------------------------------------

Count = Annotated[int, Field(ge=1, le=1000)]
Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
# current: the target stays (a KPI without one takes `without_target`); unchanged: the target
# stays, and a KPI without one gets none; committed, stretch: that level.
LevelChoice = Literal["current", "unchanged", "committed", "stretch"]


class PerFrequency(Policy):
    """One whole number for each frequency a KPI can be measured at."""

    daily: Count
    weekly: Count
    monthly: Count
    quarterly: Count

    def of(self, frequency: str) -> int:
        """Return the number for `frequency` (daily, weekly, monthly or quarterly)."""
        return getattr(self, frequency)


class ByCommitment(Policy):
    """Which level becomes the suggested target, for a committed and an aspirational KPI."""

    committed: LevelChoice
    aspirational: LevelChoice

    def of(self, commitment: str) -> LevelChoice:
        """Return the choice for `commitment`."""
        return getattr(self, commitment)


class SuggestedTargets(Policy):
    """Which level becomes the suggested target, per suggestion and commitment."""

    raise_: ByCommitment = Field(alias="raise")
    lower: ByCommitment
    keep: ByCommitment
    investigate: ByCommitment
    change_process: ByCommitment
    # What `current` means for a KPI that has no target yet (committed or stretch).
    without_target: ByCommitment

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def choice(self, action: str, commitment: str, has_target: bool) -> LevelChoice:
        """Return which level the suggested target is for `action`: current, committed,
        stretch, or unchanged (None for a KPI without a target)."""
        picked = getattr(self, "raise_" if action == "raise" else action).of(commitment)
        if picked == "current" and not has_target:
            return self.without_target.of(commitment)
        return picked

    @model_validator(mode="after")
    def _without_target_is_a_level(self) -> "SuggestedTargets":
        if {self.without_target.committed, self.without_target.aspirational} - {
                "committed", "stretch"}:
            raise ValueError("without_target takes committed or stretch")
        return self


class ReviewPolicy(Policy):
    """The numbers of the quarterly review (rules/data/review.yaml, block `policy:`)."""

    # Fewer measured (not excluded) periods than this give no limits and no suggestion; it is
    # also the shortest stretch the limits may come from.
    min_points: Annotated[int, Field(ge=4, le=60)]
    committed_probability: Probability
    stretch_probability: Probability
    # Periods per season; a history is treated as seasonal only from seasonal_min_points on.
    season_length: PerFrequency
    seasonal_min_points: PerFrequency
    review_window: PerFrequency
    horizon: PerFrequency
    # Limits from fewer baseline values than this are provisional.
    provisional_below: Annotated[int, Field(ge=2, le=200)]
    # The limits use at most this many of the latest values of the baseline stretch.
    baseline_max: Annotated[int, Field(ge=6, le=200)]
    # This many values in a row on one side of the centre line is a sustained shift (and the
    # run signal).
    run_length: Annotated[int, Field(ge=5, le=20)]
    suggested_target: SuggestedTargets

    @model_validator(mode="after")
    def _consistent(self) -> "ReviewPolicy":
        if self.stretch_probability >= self.committed_probability:
            raise ValueError("stretch_probability must be below committed_probability "
                             "(a stretch is harder to meet than a commitment)")
        if self.committed_probability <= 0.5:
            raise ValueError("committed_probability must be above 0.5 (a commitment is met "
                             "more often than not)")
        for frequency in ("daily", "weekly", "monthly", "quarterly"):
            if self.seasonal_min_points.of(frequency) < 2 * self.season_length.of(frequency):
                raise ValueError(f"seasonal_min_points.{frequency} must be at least two "
                                 "seasons (2 × season_length)")
        if self.baseline_max < self.min_points:
            raise ValueError("baseline_max must be at least min_points")
        return self


# rule set name -> its policy model (a rule set missing here takes no `policy:` block).
POLICIES: dict[str, type[Policy]] = {"review": ReviewPolicy}
