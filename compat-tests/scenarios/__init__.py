"""Every scenario the runner knows, in the order it runs them.  One file per theme:
request mode (`request`), --print-request/--print-reply and verbose output
(`print_verbose`), sessions (`sessions`), TLS (`tls`), command-line errors (`cli`);
the `Scenario` and `Deviation` model and shared patterns are in `model`."""

from __future__ import annotations

from .cli import CLI_SCENARIOS
from .model import Deviation, Scenario
from .print_verbose import PRINT_SCENARIOS, VERBOSE_SCENARIOS
from .request import FAILURE_SCENARIOS, REQUEST_SCENARIOS, WSET_SCENARIOS
from .sessions import SESSION_SCENARIOS
from .tls import TLS_SCENARIOS

SCENARIOS: list[Scenario] = [
    *REQUEST_SCENARIOS,
    *PRINT_SCENARIOS,
    *VERBOSE_SCENARIOS,
    *FAILURE_SCENARIOS,
    *WSET_SCENARIOS,
    *SESSION_SCENARIOS,
    *TLS_SCENARIOS,
    *CLI_SCENARIOS,
]

__all__ = ["SCENARIOS", "Scenario", "Deviation"]


def _check_unique_names() -> None:
    seen: set[str] = set()
    for sc in SCENARIOS:
        if sc.name in seen:
            raise RuntimeError(f"two scenarios are named {sc.name!r}")
        seen.add(sc.name)


_check_unique_names()
