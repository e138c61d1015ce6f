"""The README's examples as data: its fenced blocks, the commands in them, the output they show.

The convention (also written, for whoever edits the README, in a comment at its top):

- A block of `sh` lines that start with `curl` or `kpi-advisor` is an example: every command
  in it runs (a line ending in `\\` goes on on the next one; `# ...` is a comment).
- In any block, a line `$ curl ...` or `$ kpi-advisor ...` is a command and the lines after
  it, up to the next `$ ` line, are what it prints.
- A block whose info string ends in `output` (```` ```json output ````, ```` ```text output ````)
  is what the last command of the example block just before it prints.
- `$ echo $?` after a command, and the number on the next line, is the exit code it must give
  (0 when not shown).
- In printed output, a line that is only `...` stands for any lines (none too), and `...`
  inside a line for any text on that line. A `json output` block is compared with the answer
  pretty-printed (two spaces, keys in the order the server sends them).
- A `synopsis` block lists commands with their options: each must exist with those options
  and choices, and every command of the CLI must have a line.
- A `not-run` block is shown, never run (e.g. `make test`, which runs this test); it must hold
  no curl or kpi-advisor command, so no example is left out without saying so.
- `$NAME` in a command or an output is filled by the test (tests/test_docs.py PLACEHOLDERS,
  e.g. `$PLAN`, the id of a stored plan); `http://127.0.0.1:5000` is the live test server.
- `echo 'text' | kpi-advisor ...` gives the command that line on standard input.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(.*)$")
COMMAND = re.compile(r"^(?:echo '[^']*' \| )?(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(curl|kpi-advisor)(\s|$)")
STDIN = re.compile(r"^echo '([^']*)' \| ")
PLACEHOLDER = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)\}?")
KINDS = ("output", "synopsis", "not-run")


@dataclass
class Block:
    """One fenced block of the README: its language, the kind its info string names, text."""

    line: int  # of the opening fence, counted from 1
    lang: str
    kind: str  # "", "output", "synopsis" or "not-run"
    text: str


@dataclass
class Example:
    """One command of the README and what the README shows it printing (None: nothing)."""

    line: int
    tool: str  # "curl" or "kpi-advisor"
    command: str
    expected: str | None = None
    expected_lang: str = "text"
    exit_code: int = 0  # what `$ echo $?` after it shows
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None  # the line an `echo '...' |` before the command gives it

    @property
    def name(self) -> str:
        """Return a short id for the test report: the README line and the command's start."""
        return f"README.md:{self.line}:{self.command[:60]}"

    def argv(self) -> list[str]:
        """Return the command's words as a shell would split them, leading VAR=value pairs
        moved to `env`."""
        piped = STDIN.match(self.command)
        if piped:
            self.stdin = piped.group(1) + "\n"
        words = shlex.split(STDIN.sub("", self.command), comments=True)
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
            name, _, value = words.pop(0).partition("=")
            self.env[name] = value
        return words


def blocks(text: str) -> list[Block]:
    """Return every fenced block of a Markdown text."""
    found, lines, opened = [], text.splitlines(), None
    for number, line in enumerate(lines, start=1):
        fence = FENCE.match(line)
        if not fence:
            continue
        if opened is None:
            info = fence.group(1).split()
            kind = info[-1] if len(info) > 1 and info[-1] in KINDS else ""
            opened = (number, info[0] if info else "", kind)
        else:
            start, lang, kind = opened
            found.append(Block(start, lang, kind, "\n".join(lines[start:number - 1])))
            opened = None
    if opened is not None:
        raise ValueError(f"README.md:{opened[0]}: a fenced block is never closed")
    return found


def _complete(command: str) -> bool:
    """Return False while a quote is still open (a JSON body over several lines)."""
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def _commands(block: Block) -> list[Example]:
    """Return the commands of an `sh` example block (continued and quoted lines joined)."""
    found, pending, start = [], "", 0
    for offset, line in enumerate(block.text.splitlines(), start=1):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            start = block.line + offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
        elif not _complete(pending + line):
            pending += line + "\n"
        else:
            found.append(_example(start, pending + line))
            pending = ""
    if pending:
        raise ValueError(f"README.md:{start}: a command is never finished")
    return found


def _example(line: int, command: str) -> Example:
    match = COMMAND.match(command.strip())
    if not match:
        raise ValueError(f"README.md:{line}: not a curl or kpi-advisor command: {command!r}")
    return Example(line, match.group(1), command.strip())


def _transcript(block: Block) -> list[Example]:
    """Return the `$ command` lines of a block, each with the lines it prints after it (and
    the exit code a following `$ echo $?` shows)."""
    found: list[Example] = []
    output: list[str] = []
    continued = asked_exit = False
    for offset, line in enumerate(block.text.splitlines(), start=1):
        if asked_exit:
            found[-1].exit_code, asked_exit = int(line), False
        elif continued:
            found[-1].command += " " + line.strip().removesuffix("\\")
        elif line.startswith("$ "):
            if found and found[-1].expected is None:
                found[-1].expected = "\n".join(output)
            output = []
            if line == "$ echo $?" and found:
                asked_exit = True
            else:
                found.append(_example(block.line + offset, line[2:].removesuffix("\\")))
        elif found and found[-1].expected is None:
            output.append(line)
        elif line.strip():
            raise ValueError(f"README.md:{block.line + offset}: output after an exit code")
        continued = (continued or line.startswith("$ ")) and line.endswith("\\")
    if found and found[-1].expected is None:
        found[-1].expected = "\n".join(output)
    return found


def _holds_commands(block: Block) -> bool:
    return any(COMMAND.match(line.removeprefix("$ ").strip())
               for line in block.text.splitlines())


def examples(text: str) -> tuple[list[Example], list[Block]]:
    """Return every command example of the README and its synopsis blocks; raise ValueError
    for a block that holds commands but follows none of the conventions."""
    found: list[Example] = []
    synopses: list[Block] = []
    previous: list[Example] = []
    for block in blocks(text):
        if block.kind == "output":
            if not previous or previous[-1].expected is not None:
                raise ValueError(f"README.md:{block.line}: an output block must follow an "
                                 "example block whose last command shows no output")
            previous[-1].expected, previous[-1].expected_lang = block.text, block.lang
            previous = []
            continue
        previous = []
        if block.kind == "synopsis":
            synopses.append(block)
        elif block.kind == "not-run":
            if _holds_commands(block):
                raise ValueError(f"README.md:{block.line}: a not-run block holds a command")
        elif any(line.startswith("$ ") for line in block.text.splitlines()) \
                and _holds_commands(block):
            previous = _transcript(block)
        elif block.lang in ("sh", "bash", "shell") and _holds_commands(block):
            previous = _commands(block)
        elif _holds_commands(block):
            raise ValueError(f"README.md:{block.line}: a block holds a command but is no "
                             "example (see the convention at the top of the README)")
        found += previous
    return found, synopses


def fill(text: str, values: dict[str, str]) -> str:
    """Return `text` with each `$NAME` replaced by its value."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def placeholders(text: str) -> set[str]:
    """Return the names of the `$NAME` placeholders in `text`."""
    return set(PLACEHOLDER.findall(text))


def _pattern(expected: str) -> re.Pattern:
    parts = []
    for line in expected.splitlines():
        if line.strip() == "...":
            parts.append("(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(p) for p in line.rstrip().split("...")]
            parts.append("[^\n]*?".join(pieces) + "\n")
    return re.compile("".join(parts), re.DOTALL)


def normal(text: str) -> str:
    """Return `text` without trailing spaces and blank lines at either end, newline-ended."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"


def matches(expected: str, actual: str) -> bool:
    """Return True when `actual` is what `expected` shows, `...` standing for anything."""
    return _pattern(normal(expected)).fullmatch(normal(actual)) is not None


def readme(root: Path) -> str:
    """Return the README's text."""
    return (root / "README.md").read_text(encoding="utf-8")
