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


# --- recommend.yaml -------------------------------------------------------------------------

SIZES = ("micro", "small", "medium", "large")
STEPS = ("keep", "headline", "goals", "balance", "guard", "fill", "mend")
Step = Literal["keep", "headline", "goals", "balance", "guard", "fill", "mend"]
Slots = Annotated[int, Field(ge=1, le=12)]
Points = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class BalanceNeed(Policy):
    """One kind of KPI every department needs: a KPI attribute and its value."""

    attribute: Literal["financial", "indicator", "perspective"]
    value: bool | str

    @model_validator(mode="after")
    def _value_of_the_attribute(self) -> "BalanceNeed":
        allowed = {"financial": (True, False), "indicator": ("leading", "lagging"),
                   "perspective": ("financial", "customer", "internal_process",
                                   "learning_growth")}[self.attribute]
        if self.value not in allowed or isinstance(self.value, bool) != (
                self.attribute == "financial"):
            raise ValueError(f"{self.attribute} takes {', '.join(map(str, allowed))}")
        return self

    def pair(self) -> tuple[str, bool | str]:
        """Return the need as (attribute, value)."""
        return self.attribute, self.value


class Headline(Policy):
    """Which goals' headline outcomes each department reports."""

    # The headline outcomes (catalog `headline_for`) of the client's first this-many goals.
    top_goals: Annotated[int, Field(ge=0, le=12)]
    # A headline takes at most this share of a department's places (the rest is for balance
    # and guards); at least one headline always fits.
    max_share: Annotated[float, Field(gt=0, le=1)]


class Ranking(Policy):
    """Points added while choosing, on top of the rules' score."""

    # A KPI whose catalog primary_goal is the goal being served.
    primary_goal: Points
    # A KPI that guards a chosen KPI, or is guarded by one (its counter-KPI is in the set).
    guard_affinity: Points
    # For each balance need its department still lacks that a KPI meets.
    balance_need: Points
    # Filling the last places, each chosen KPI of the same scorecard perspective costs this.
    perspective_repeat: Points
    # Filling the last places, a KPI serving a client goal its department does not serve yet.
    goal_spread: Points


class Guard(Policy):
    """Counter-KPIs: how many of the risky KPIs must carry their guard."""

    # At least this share of the chosen KPIs that have counter-KPIs has one in the set.
    min_guarded_share: Annotated[float, Field(ge=0, le=1)]
    # Whether a KPI chosen as another's guard gets a guard of its own in the guard step.
    guard_the_guards: bool
    # Whether a KPI chosen without data may take a guard without data too (both flagged with
    # the data to start collecting, as balance beats data); otherwise guards need data.
    unmeasured_guards_unmeasured: bool = False


class Mend(Policy):
    """The last step: swaps that mend a set's faults (balance, guards, goals)."""

    # Stand-ins considered per department: its best-ranked candidates not in the set.
    candidates: Annotated[int, Field(ge=1, le=200)]
    # At most this many swaps per recommendation.
    max_swaps: Annotated[int, Field(ge=0, le=50)]


class RecommendPolicy(Policy):
    """The selection policy of the recommendation (rules/data/recommend.yaml)."""

    # The order the selection steps run in; keep comes first, every step once.
    steps: list[Step]
    # KPIs per department by company size (overridden by max_kpis_per_department), and the
    # number when the size is not given.
    kpis_per_department: dict[Literal["micro", "small", "medium", "large"], Slots]
    without_size: Slots
    balance_needs: list[BalanceNeed] = Field(min_length=1)
    # When no measurable KPI meets a balance need, the best-fitting one is chosen with the data
    # to start collecting (balance beats data availability).
    balance_beats_data: bool
    headline: Headline
    ranking: Ranking
    guard: Guard
    mend: Mend
    # A filler scores at least this (a KPI below it leaves its place empty, with a warning).
    filler_min_score: Annotated[float, Field(ge=0, le=100)]
    # Alternatives offered per department.
    alternatives: Annotated[int, Field(ge=0, le=50)]

    @model_validator(mode="after")
    def _complete(self) -> "RecommendPolicy":
        if sorted(self.steps) != sorted(STEPS) or self.steps[0] != "keep":
            raise ValueError(f"steps lists each of {', '.join(STEPS)} once, keep first")
        missing = [s for s in SIZES if s not in self.kpis_per_department]
        if missing:
            raise ValueError(f"kpis_per_department misses {', '.join(missing)}")
        return self

    def limit(self, size: str | None, asked: int | None) -> int:
        """Return the KPIs per department: the number asked for, else the size's."""
        if asked is not None:
            return asked
        found = next((n for s, n in self.kpis_per_department.items() if s == size), None)
        return found if found is not None else self.without_size

    def needs(self) -> tuple[tuple[str, bool | str], ...]:
        """Return the balance needs as (attribute, value) pairs."""
        return tuple(need.pair() for need in self.balance_needs)


# rule set name -> its policy model (a rule set missing here takes no `policy:` block).
POLICIES: dict[str, type[Policy]] = {"review": ReviewPolicy, "smart": SmartPolicy,
                                     "recommend": RecommendPolicy}
