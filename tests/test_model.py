import dataclasses

from talkdeck.config import DeckConfig
from talkdeck.model import CodePane, Deck, Section, Slide


def test_the_model_is_dataclasses_that_print_their_fields_and_compare_by_identity():
    slide = Slide(id="intro-1", html="<h1>Hi</h1>", title="Hi")
    assert all(dataclasses.is_dataclass(kind) for kind in (CodePane, Slide, Section, Deck, DeckConfig))
    assert repr(slide).startswith("Slide(id='intro-1', html='<h1>Hi</h1>', notes='', attrs={}, ")
    assert dataclasses.replace(slide, title="Hello").title == "Hello"
    twin = Slide(id="intro-1", html="<h1>Hi</h1>", title="Hi")
    assert slide != twin and len({slide, twin}) == 2  # two slides with the same text are still two slides
    assert "theme='white'" in repr(DeckConfig())
