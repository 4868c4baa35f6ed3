"""talkdeck: per-section Markdown to an offline reveal.js deck."""

__version__ = "0.1.0"
