"""What every command shares: the group and command classes, the one place where the core's
named exceptions become a message and exit code 2, the settings and the catalog."""

import errno
import json
from functools import cached_property
from typing import IO, Any

import click
from pydantic import ValidationError

from advisor import config
from advisor.accounts.errors import AccountError
from advisor.error_texts import field_error_text, not_found_text
from advisor.errors import AdvisorError, NotFoundError
from advisor.i18n import LANGS, N_, gettext
from advisor.review.errors import ReviewError, RowsRejectedError
from catalog.errors import CatalogError
from catalog.loader import Catalog, builtin_catalog, load_catalog
from rules.errors import RuleError

EXIT_BAD_INPUT = 2
NAMED_ERRORS = (AdvisorError, CatalogError, RuleError, ValidationError, OSError)


class BadInput(click.ClickException):
    """Input the core refused: the message is printed in the command's language, the process
    exits with code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, lang: str):
        super().__init__(message)
        self.lang = lang

    def show(self, file: IO[str] | None = None) -> None:
        """Print the message on standard error, introduced in the command's language."""
        click.echo(gettext(self.lang, "cli.error", message=self.format_message()),
                   file=file, err=file is None)


class AdvisorCommand(click.Command):
    """A command whose named exceptions from the core end as BadInput, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn the core's named exceptions into BadInput."""
        try:
            return super().invoke(ctx)
        except NAMED_ERRORS as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # a closed pipe is click's to handle, not bad input
            lang = command_lang(ctx)
            raise BadInput(error_message(exc, lang), lang) from exc


class AdvisorGroup(click.Group):
    """A group whose commands are AdvisorCommands and whose sub-groups are AdvisorGroups."""

    command_class = AdvisorCommand
    group_class = type  # click: sub-groups take this group's own class


def command_lang(ctx: click.Context) -> str:
    """Return the language a command speaks: its --lang, else the DEFAULT_LANG setting."""
    lang = ctx.params.get("lang")
    if lang in LANGS:
        return lang
    try:
        return config.layered()["DEFAULT_LANG"]
    except AdvisorError:  # a broken setting is itself the error being reported
        return LANGS[0]


# What the terminal says for the system's own file errors (its strerror is English).
_OS_ERRORS = {errno.ENOENT: N_("cli.file.missing"), errno.EACCES: N_("cli.file.denied"),
              errno.EISDIR: N_("cli.file.is_folder")}


def error_message(exc: Exception, lang: str) -> str:
    """Return what a person reads for one of NAMED_ERRORS, in `lang` where the error has it."""
    if isinstance(exc, ValidationError):
        lines = [f"{'.'.join(map(str, e['loc'])) or 'input'}: {field_error_text(e, lang)}"
                 for e in exc.errors(include_url=False)]
        return gettext(lang, "cli.invalid_input") + "\n  " + "\n  ".join(lines)
    if isinstance(exc, RowsRejectedError):
        return rows_message(exc, lang)
    if isinstance(exc, ReviewError):
        return exc.message.get(lang, str(exc))
    if isinstance(exc, NotFoundError):
        return not_found_text(exc, lang)
    if isinstance(exc, AccountError):
        return gettext(lang, exc.msgid, **exc.values)
    if isinstance(exc, OSError):
        return os_error_message(exc, lang)
    return str(exc)


def os_error_message(exc: OSError, lang: str) -> str:
    """Return a file error in `lang` where it is a common one, else as the system words it."""
    path = str(exc.filename or "")
    if exc.errno in _OS_ERRORS:
        return gettext(lang, _OS_ERRORS[exc.errno], path=path)
    return f"{path}: {exc.strerror or exc}".lstrip(": ")


def rows_message(exc: RowsRejectedError, lang: str) -> str:
    """Return rejected rows as one line per problem: where, what is wrong, how to fix it."""
    lines = [gettext(lang, "cli.rows_rejected")]
    for problem in exc.errors_in(lang):
        where = gettext(lang, "review.import.at_line", line=problem["line"]) \
            if "line" in problem else problem["field"]
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
