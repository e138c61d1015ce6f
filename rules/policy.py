"""The numbers of each rule set's policy (weights, thresholds, probability levels, orders of
steps): declared in the rule file's `policy:` block and validated here, so that Python holds
none of them.

Each rule set that has a policy registers its model in POLICIES; the loader validates the
file's block against it and names file and field on any problem.
"""

from pydantic import BaseModel, ConfigDict


class Policy(BaseModel):
    """Base of every rule set's policy: strict and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# rule set name -> its policy model (a rule set missing here takes no `policy:` block).
POLICIES: dict[str, type[Policy]] = {}
