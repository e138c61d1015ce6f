"""What every command shares: the group and command classes, the one place where the core's
named exceptions become a message and exit code 2, the settings and the catalog."""

import errno
import json
from functools import cached_property
from typing import Any

import click
from pydantic import ValidationError

from advisor import config
from advisor.errors import AdvisorError
from advisor.review.errors import ReviewError, RowsRejectedError
from catalog.errors import CatalogError
from catalog.loader import Catalog, builtin_catalog, load_catalog
from rules.errors import RuleError

EXIT_BAD_INPUT = 2
NAMED_ERRORS = (AdvisorError, CatalogError, RuleError, ValidationError, OSError)


class BadInput(click.ClickException):
    """Input the core refused: click prints the message, the process exits with code 2."""

    exit_code = EXIT_BAD_INPUT


class AdvisorCommand(click.Command):
    """A command whose named exceptions from the core end as BadInput, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn the core's named exceptions into BadInput."""
        try:
            return super().invoke(ctx)
        except NAMED_ERRORS as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # a closed pipe is click's to handle, not bad input
            raise BadInput(error_message(exc, ctx.params.get("lang") or "en")) from exc


class AdvisorGroup(click.Group):
    """A group whose commands are AdvisorCommands and whose sub-groups are AdvisorGroups."""

    command_class = AdvisorCommand
    group_class = type  # click: sub-groups take this group's own class


def error_message(exc: Exception, lang: str) -> str:
    """Return what a person reads for one of NAMED_ERRORS, in `lang` where the error has it."""
    if isinstance(exc, ValidationError):
        lines = [f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
                 for e in exc.errors(include_url=False)]
        return "invalid input\n  " + "\n  ".join(lines)
    if isinstance(exc, RowsRejectedError):
        return rows_message(exc, lang)
    if isinstance(exc, ReviewError):
        return exc.message.get(lang, str(exc))
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return str(exc)


def rows_message(exc: RowsRejectedError, lang: str) -> str:
    """Return rejected rows as one line per problem: where, what is wrong, how to fix it."""
    lines = ["the history cannot be read / không đọc được số liệu:"]
    for problem in exc.errors_in(lang):
        where = f"line {problem['line']}" if "line" in problem else problem["field"]
        column = f", {problem['column']}" if "column" in problem else ""
        lines.append(f"  {where}{column}: {problem['message']} → {problem['fix']}")
    return "\n".join(lines)


def print_json(data: object) -> None:
    """Print data as indented JSON with Vietnamese kept readable."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class Shell:
    """What the commands of one run share, each loaded on first use (inside the command, so a
    broken setting or catalog file is bad input like any other)."""

    @cached_property
    def settings(self) -> dict[str, Any]:
        """Return the settings, layered as the web app layers them (advisor.config)."""
        return config.layered()

    @cached_property
    def catalog(self) -> Catalog:
        """Return the catalog every command of this run uses: the files CATALOG_FILES names,
        else the built-in catalog."""
        files = config.catalog_files(self.settings["CATALOG_FILES"])
        return load_catalog(files) if files else builtin_catalog()


pass_shell = click.make_pass_decorator(Shell, ensure=True)
LANG = click.Choice(("vi", "en"))
