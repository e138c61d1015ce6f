"""Named errors of the rules package."""

from pathlib import Path


class RuleError(Exception):
    """Base of every error the rules package raises."""


class RuleFileError(RuleError):
    """A rule file cannot be read, parsed or validated; names the file, rule and field."""

    def __init__(
        self,
        path: str | Path,
        rule_id: str | None,
        field: str | None,
        message: str,
        *,
        rule_index: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.rule_id = rule_id
        self.rule_index = rule_index
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.path.name]
        rule = self._rule_label()
        if rule:
            parts.append(rule)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def _rule_label(self) -> str:
        number = f"#{self.rule_index}" if self.rule_index is not None else ""
        if self.rule_id is not None:
            return f"rule {self.rule_id!r} ({number})" if number else f"rule {self.rule_id!r}"
        return f"rule {number}" if number else ""


class EngineError(RuleError):
    """Evaluating a rule set failed: bad facts, a rule set durable-rules refused, or a crash."""
