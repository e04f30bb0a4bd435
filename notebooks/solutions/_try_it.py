"""The check behind every "Try it" exercise: the learner's function, or the reference while it is a stub.

Each exercise cell defines a stub ``my_...`` that raises ``NotImplementedError``; its check cell runs
``check(fn)`` on the learner's function and, while that is still a stub, on the reference solution
in ``notebooks/solutions/NN_name.py`` — so CI keeps both the references and the checks correct.
With ``MINIGRAD_SOLUTIONS=0`` a stub is an error instead (the reference is not used).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def try_it(name: str, check: Callable[[Any], Any], mine: Any, reference: Any) -> Any:
    """``check(mine)``, or ``check(reference)`` while ``mine`` raises ``NotImplementedError``; prints
    which one passed (``check`` raises AssertionError with the reason when a function is wrong)."""
    try:
        out = check(mine)
    except NotImplementedError:
        if os.environ.get("MINIGRAD_SOLUTIONS", "1") == "0":
            raise
        out = check(reference)
        print(f"[{name}] your function is still a stub: checked the reference solution instead — it passes.")
        return out
    except AssertionError as exc:
        print(f"[{name}] not yet: {exc}")
        raise
    print(f"[{name}] your solution passes the check.")
    return out
