"""The `kpi-advisor` command: a thin shell over the advisor core; bad input exits with code 2."""

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from advisor.errors import AdvisorError

EXIT_BAD_INPUT = 2
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def command(register: Callable[[argparse._SubParsersAction], None]):
    """Add a sub-command registration function to the CLI."""
    COMMANDS.append(register)
    return register


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""
    from advisor import cli_advice, cli_commands, cli_review  # noqa: F401  (they register)

    parser = argparse.ArgumentParser(
        prog="kpi-advisor",
        description="KPI Advisor: choose, check and review KPIs (Vietnamese and English).",
    )
    subs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subs)
    return parser


def print_json(data: object) -> None:
    """Print data as indented JSON with Vietnamese kept readable."""
    print(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str) -> int:
    """Print an input error to stderr and return the bad-input exit code."""
    print(f"kpi-advisor: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
                 for e in exc.errors(include_url=False)]
        return fail("invalid input\n  " + "\n  ".join(lines))
    except AdvisorError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip())
