"""The deck model the templates read: plain data, no Markdown, no I/O.

Dataclasses without generated `__eq__` and `__repr__`: see :class:`talkdeck.config.FieldsRepr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from talkdeck.config import DeckConfig, FieldsRepr


@dataclass(eq=False, repr=False)
class CodePane(FieldsRepr):
    """Part of a real file shown on a slide; `lines` are the file's own line numbers of what is shown."""

    path: str
    lines: list[int]
    language: str
    text: str
    label: str
    steps: str = ""
    slide_line: int = 0


@dataclass(eq=False, repr=False)
class Slide(FieldsRepr):
    """One slide: its HTML and notes, where its source is, and what reveal.js needs to know of it."""

    id: str
    html: str
    notes: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    source: Path | None = None
    line: int = 0
    title: str = ""
    timing: int | None = None  # seconds, for the speaker view's pacing (reveal's data-timing)
    timed: bool = False  # the timing is the slide's own `data-timing`, not a share of its section's minutes
    panes: list[CodePane] = field(default_factory=list)
    source_rel: str = ""

    @property
    def hidden(self) -> bool:
        """`data-visibility="hidden"`: reveal.js takes the slide out of the deck (a backup slide)."""
        return self.attrs.get("data-visibility", "").strip().lower() == "hidden"

    @property
    def attr_html(self) -> str:
        from markupsafe import escape

        parts = [f' {k}="{escape(v)}"' if v != "" else f" {k}" for k, v in self.attrs.items()]
        return "".join(parts)


@dataclass(eq=False, repr=False)
class Section(FieldsRepr):
    """One file of `slides/`: its slides as reveal.js stacks (a horizontal slide and its vertical ones)."""

    path: Path
    name: str
    title: str
    minutes: float | None
    stacks: list[list[Slide]]
    dependencies: set[Path] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    has_code: bool = False
    has_layers: bool = False

    @property
    def slides(self) -> list[Slide]:
        return [slide for stack in self.stacks for slide in stack]


@dataclass(eq=False, repr=False)
class Deck(FieldsRepr):
    """The whole talk, as the templates see it."""

    root: Path
    config: DeckConfig
    sections: list[Section]
    template_files: set[str] = field(default_factory=set)  # files the deck's own templates name
    awaited: set[Path] = field(default_factory=set)  # files they name that are not there (yet): serve waits

    @property
    def slides(self) -> list[Slide]:
        return [slide for section in self.sections for slide in section.slides]

    # deck.toml's values, as `{{ deck.title }}` names them in a section's Markdown (templates have `config` too)
    title = property(lambda self: self.config.title)
    author = property(lambda self: self.config.author)
    event = property(lambda self: self.config.event)
    date = property(lambda self: self.config.date)
    minutes = property(lambda self: self.config.minutes or "")  # nothing when unset, as in Markdown

    def taken_out(self, slide: Slide) -> bool:
        """Whether reveal.js takes the slide out of the deck: hidden, unless [reveal] showHiddenSlides."""
        return slide.hidden and not self.config.reveal.get("showHiddenSlides")

    @property
    def has_code(self) -> bool:
        return any(section.has_code for section in self.sections)

    @property
    def has_layers(self) -> bool:
        return any(section.has_layers for section in self.sections)

    @property
    def images(self) -> set[str]:
        """Every file of the deck that goes into the output: what slides load or link to, and what the deck's
        own templates name."""
        return {image for section in self.sections for image in section.images} | self.template_files

    @property
    def dependencies(self) -> set[Path]:
        """Every file the build read besides the sections: what slides show, and the deck's files that its
        templates name (reveal.js's own aside)."""
        return {dep for section in self.sections for dep in section.dependencies} | {
            self.root / rel for rel in self.template_files
            if not rel.startswith("reveal/") or (self.root / rel).is_file()}
