"""The SMART check of a plan: facts about each KPI and the plan in, gaps with a fix out."""

from advisor.smart.check import check_plan, owner_facts, plan_fact
from advisor.smart.facts import kpi_fact

__all__ = ["check_plan", "kpi_fact", "owner_facts", "plan_fact"]
