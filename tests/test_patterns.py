import re

from talkdeck import patterns
from talkdeck.patterns import LazyPattern


def test_a_lazy_pattern_compiles_at_first_use_then_is_the_compiled_pattern(monkeypatch):
    compiled = []
    real_compile = re.compile
    monkeypatch.setattr(patterns.re, "compile", lambda *args: compiled.append(args) or real_compile(*args))
    lazy = LazyPattern(r"(a+)(b)?", re.IGNORECASE)
    assert compiled == []
    assert lazy.match("AAb").groups() == ("AA", "b")
    assert lazy.sub("x", "aab aa") == "x x"
    assert [m.group(1) for m in lazy.finditer("a b aa")] == ["a", "aa"]
    assert lazy.pattern == "(a+)(b)?" and lazy.flags & re.IGNORECASE
    assert compiled == [("(a+)(b)?", re.IGNORECASE)]  # once
    assert vars(lazy)["search"] == real_compile("(a+)(b)?", re.IGNORECASE).search  # bound: no lookup per use
