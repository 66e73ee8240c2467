"""The project's errors: one base class, user errors that are also builtins, and a collector.

Readers collect every problem in a file before raising once, so a user fixes a file in one go
rather than one error per upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class EstatesError(Exception):
    """Base class of every error estates raises on purpose."""


class InputError(EstatesError, ValueError):
    """Something the user gave us (a file, a value, a scenario) cannot be used as it is.

    ``problems`` lists every problem found, each naming where it is and what to do.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])


class AssumptionError(InputError):
    """An assumption override is out of range or of the wrong kind."""


class ScenarioError(InputError):
    """A scenario document is not valid."""


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem in an input, located as precisely as we can.

    ``row`` is the 1-based data row (header excluded), as a user counts rows in a spreadsheet
    below its header.
    """

    file: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None:
            text += f" (value {_show(self.value)})"
        if self.fix:
            text += f". {self.fix}"
        return text


class ProblemList:
    """Collects problems and raises them all at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(
        self,
        message: str,
        *,
        fix: str = "",
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        file: str | None = None,
    ) -> None:
        self.items.append(
            Problem(file or self.file, message, fix=fix, row=row, column=column, value=value)
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self, error: type[InputError] = InputError) -> None:
        if not self.items:
            return
        shown = self.items[:50]
        lines = [f"{len(self.items)} problem(s) found:"] + [f"- {p}" for p in shown]
        if len(self.items) > len(shown):
            lines.append(f"- ... and {len(self.items) - len(shown)} more")
        raise error("\n".join(lines), self.items)
