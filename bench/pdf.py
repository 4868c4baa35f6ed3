"""PDF export benchmark: `talkdeck pdf` as a whole process, several runs, median against the 2.0 s target.

    .venv/bin/python bench/pdf.py [--runs 7] [--deck DIR]

Measures:
- the talk (this repository's deck) when it has slides, else a generated 40-slide deck;
- a generated 40-slide deck with a code block on every other slide (the same shape every time);
- one in-process export of the talk split into its steps (build + browser start, page load and print
  layout, printing, metadata), to show where the time goes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TALKDECK = [sys.executable, "-m", "talkdeck"]
TARGET = 2.0

SLIDE = """\
## Slide {n}: containers for Python

- A first point about images and layers
- A second point, with `inline code` and **bold** text
- A third point
{{.fragment}}

Note:
What to say on slide {n}, in a sentence or two.
"""

CODE = """
```python
def handler(request):
    name = request.args.get("name", "world")
    return f"Hello {{name}} from slide {n}"
```
"""


def make_deck(folder: Path, slides: int = 40, sections: int = 8) -> Path:
    (folder / "slides").mkdir(parents=True)
    (folder / "deck.toml").write_text('title = "Benchmark deck"\nauthor = "Bench"\nminutes = 30\n')
    per_section = slides // sections
    n = 0
    for s in range(sections):
        parts = [f'+++\ntitle = "Section {s}"\nminutes = 3\n+++\n']
        for _ in range(per_section):
            n += 1
            parts.append(SLIDE.format(n=n) + (CODE.format(n=n) if n % 2 else ""))
        (folder / "slides" / f"{s + 1:02d}-section.md").write_text("\n---\n\n".join(parts))
    return folder


def slide_count(deck: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from talkdeck.builder import Builder

    try:
        return len(Builder(deck).load().slides)
    except Exception:  # noqa: BLE001 - a deck being written may not load; the generated one stands in
        return 0


def time_process(deck: Path, runs: int, extra: list[str]) -> list[float]:
    out = Path(tempfile.mkdtemp()) / "bench.pdf"
    command = [*TALKDECK, "pdf", "-q", str(deck), "-o", str(out), *extra]
    warm = subprocess.run(command, check=True, stderr=subprocess.PIPE, text=True)  # warm the OS cache
    if warm.stderr.strip():
        print(warm.stderr.rstrip())
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def steps(deck: Path) -> list[tuple[str, float]]:
    """One in-process export, timed between the progress steps export_pdf reports."""
    sys.path.insert(0, str(ROOT))
    from talkdeck.export import export_pdf

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    result = export_pdf(deck, Path(tempfile.mkdtemp()) / "steps.pdf",
                        progress=lambda name: marks.append((name.split()[0], time.perf_counter())))
    marks.append(("end", time.perf_counter()))
    spans = []
    previous = started
    names = {"build": "imports", "layout": "build || Playwright driver + Chromium start",
             "print": "new page, load, reveal print layout", "metadata": "page.pdf + Chromium close",
             "end": "metadata + write"}
    for name, moment in marks:
        spans.append((names.get(name, name), moment - previous))
        previous = moment
    spans.append((f"total ({result.pages} pages)", result.seconds))
    return spans


def report(label: str, times: list[float]) -> None:
    median = statistics.median(times)
    verdict = "ok" if median <= TARGET else "OVER"
    print(f"{label:<44} median {median:5.2f} s  (min {min(times):.2f}, max {max(times):.2f}, "
          f"n={len(times)})  target {TARGET:.1f} s: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--deck", type=Path, default=None, help="deck to export instead of the talk")
    args = parser.parse_args()

    generated = make_deck(Path(tempfile.mkdtemp()) / "deck40")
    talk = args.deck or ROOT
    count = slide_count(talk)
    if count < 10:
        talk, count = generated, 40
    label = "the talk" if talk == ROOT else str(talk)
    report(f"pdf, {label} ({count} slides), whole process", time_process(talk, args.runs, []))
    report("pdf, generated 40 slides, whole process", time_process(generated, args.runs, []))
    report("pdf --fragments --notes, generated 40 slides", time_process(generated, max(args.runs // 2, 3),
                                                                       ["--fragments", "--notes"]))
    print(f"where the time goes, {label}, in process:")
    for name, seconds in steps(talk):
        print(f"  {name:<40} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
