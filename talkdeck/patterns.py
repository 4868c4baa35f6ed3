"""Regular expressions compiled at their first use.

A process pays again, at every start, for each pattern it compiles: 0.05 to 0.25 ms apiece. Most of
talkdeck's patterns serve input that a given deck may not have (images, code fences, panes, slide comments,
mistakes in deck.toml), so a build compiles only the ones its deck needs.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """Stands for ``re.compile(pattern, flags)`` until first used; after that, its methods are the compiled
    pattern's own (bound on the instance), so a use costs what it would on a pattern compiled at import."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self._compiled = re.compile(*self._source)
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)
