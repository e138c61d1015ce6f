"""The review's policy numbers, read from the review rule file (rules/data/review.yaml)."""

from rules.loader import load_builtin
from rules.models import RuleSet
from rules.policy import ReviewPolicy


def review_policy(ruleset: RuleSet | None = None) -> ReviewPolicy:
    """Return the policy of `ruleset`, or of the built-in review rule set."""
    return (ruleset or load_builtin("review")).policy_as(ReviewPolicy)
