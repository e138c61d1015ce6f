"""The `kpi-advisor` command: one click group over the advisor core, a shell beside web/."""

import click

from cli import accounts, advice, catalog, plan, review, serve
from cli.shell import AdvisorGroup


@click.group(name="kpi-advisor", cls=AdvisorGroup)
def cli() -> None:
    """KPI Advisor: choose, check and review KPIs (Vietnamese and English).

    Bad input prints a message and exits with code 2.
    """


cli.add_command(catalog.catalog)
cli.add_command(serve.serve)
cli.add_command(advice.interview)
cli.add_command(advice.recommend)
cli.add_command(advice.check)
cli.add_command(review.review)
cli.add_command(accounts.users)
cli.add_command(accounts.workspaces)
cli.add_command(accounts.tokens)
cli.add_command(plan.plan)


def main() -> None:
    """Run the command line (the `kpi-advisor` console script)."""
    cli(prog_name="kpi-advisor")
