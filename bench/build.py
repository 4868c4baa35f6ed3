"""Build benchmarks: cold whole-process builds and an in-process one-section rebuild.

    .venv/bin/python bench/build.py [--runs 7]

Prints the median (and min/max) of several runs for:
- the talk (this repository's deck), cold, whole process (`talkdeck build`);
- a generated 30-slide deck and a generated 300-slide deck, cold, whole process;
- an in-process rebuild of the 30-slide deck after one section changed (what the dev server does);
- a deck with 100 code panes over 20 files against the same deck with the code pasted in;
- with --breakdown, where a cold 30-slide build spends its time, phase by phase, in fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TALKDECK = [sys.executable, "-m", "talkdeck"]
# Measure what a speaker's machine runs: Python's bytecode cache on (some environments switch it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

SLIDE = """\
## Slide {n}: a title of some length

- A first point about containers and images
- A second point, with `inline code` and **bold** text
- A third point that links to [the docs](#/intro-1)

Note:
What to say on slide {n}, in a couple of sentences of speaker notes.
"""


def make_deck(folder: Path, slides: int, sections: int = 10, panes: bool | None = None) -> Path:
    """A deck of `slides` slides over `sections` sections; with panes, 10 per section over 20 files."""
    (folder / "slides").mkdir(parents=True)
    (folder / "deck.toml").write_text('title = "Benchmark deck"\nminutes = 30\n')
    per_section = slides // sections
    code_dir = folder / "code"
    code_dir.mkdir()
    for f in range(20):
        body = "\n".join(f"def function_{f}_{i}(x):\n    return x * {i}\n" for i in range(30))
        (code_dir / f"module_{f}.py").write_text(f"# region all\n{body}# endregion all\n")
    n = 0
    for s in range(sections):
        parts = [f'+++\ntitle = "Section {s}"\nminutes = 3\n+++\n']
        for i in range(per_section):
            n += 1
            text = SLIDE.format(n=n)
            if panes is not None and i < 10:
                module = (s * 10 + i) % 20
                if panes:
                    text += f"\n<<< code/module_{module}.py:1-12\n"
                else:
                    pasted = "\n".join((code_dir / f"module_{module}.py").read_text().splitlines()[0:12])
                    text += f"\n```python\n{pasted}\n```\n"
            parts.append(text)
        (folder / "slides" / f"{s + 1:02d}-section.md").write_text("\n---\n\n".join(parts))
    return folder


def time_process(deck: Path, runs: int) -> list[float]:
    out = Path(tempfile.mkdtemp()) / "dist"
    subprocess.run([*TALKDECK, "build", "-q", str(deck), "-o", str(out)], check=True, env=ENV)  # warm the caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*TALKDECK, "build", "-q", str(deck), "-o", str(out)], check=True, env=ENV)
        times.append(time.perf_counter() - started)
    return times


def time_baseline(runs: int) -> list[float]:
    """Python starting and importing the libraries every build needs: the floor under a cold build."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import click, jinja2, markdown"], check=True, env=ENV)
        times.append(time.perf_counter() - started)
    return times


def time_rebuild(deck: Path, runs: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from talkdeck.builder import Builder

    builder = Builder(deck, Path(tempfile.mkdtemp()) / "dist", incremental=True)
    builder.build()
    section = deck / "slides" / "03-section.md"
    text = section.read_text()
    times = []
    for run in range(runs):
        section.write_text(text.replace("Slide", f"Slide ({run})", 1))
        started = time.perf_counter()
        builder.build()
        times.append(time.perf_counter() - started)
    return times


# One cold build in a fresh process, timed phase by phase (the same steps as `talkdeck build`).
PHASES = """
import time
started = time.perf_counter()
import gc, sys
gc.disable()  # as talkdeck.entry does
import click, jinja2, markdown
libraries = time.perf_counter()
from pathlib import Path
import talkdeck.cli, talkdeck.commands.build
from talkdeck.assets import require_reveal
from talkdeck.builder import Builder, check_output
own = time.perf_counter()
builder = Builder(Path(sys.argv[1]), Path(sys.argv[2]))
check_output(builder.root, builder.output)
dist = require_reveal(builder.root)
markdown_ready = time.perf_counter()
deck = builder.load(dist)
loaded = time.perf_counter()
html = builder.render_page(deck)
paged = time.perf_counter()
builder.write(deck, html, dist)
written = time.perf_counter()
print(json.dumps([libraries - started, own - libraries, markdown_ready - own, loaded - markdown_ready,
                  paged - loaded, written - paged]))
sys.stdout.flush()
import os
os._exit(0)  # as talkdeck.entry does
"""
PHASE_NAMES = [
    "import click, jinja2, markdown",
    "import talkdeck (and pathlib, tomllib, dataclasses)",
    "Markdown instance (attr_list, tables, sane_lists)",
    "deck.toml + read + Markdown conversion",
    "Jinja page",
    "write the output",
]


def breakdown(deck: Path, runs: int) -> None:
    out = Path(tempfile.mkdtemp()) / "dist"
    command = [sys.executable, "-c", "import json\n" + PHASES, str(deck), str(out)]
    subprocess.run(command, check=True, env=ENV, capture_output=True)  # warm the caches
    wholes = []
    phases: list[list[float]] = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(command, check=True, env=ENV, capture_output=True, text=True)
        wholes.append(time.perf_counter() - began)
        phases.append(json.loads(done.stdout))
    report("  whole process", wholes)
    report("  python starting and exiting (the rest)", [w - sum(p) for w, p in zip(wholes, phases, strict=True)])
    for index, name in enumerate(PHASE_NAMES):
        report(f"  {name}", [run[index] for run in phases])


def report(name: str, times: list[float], target: float | None = None) -> None:
    median = statistics.median(times)
    verdict = (
        ""
        if target is None
        else ("  ok" if median <= target else f"  OVER the {target * 1000:.0f} ms target")
    )
    print(
        f"{name:<52} median {median * 1000:7.1f} ms   (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, "
        f"{len(times)} runs){verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--breakdown", action="store_true", help="Only time the phases of a 30-slide build.")
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.breakdown:
            print("30 slides, cold build, phase by phase:")
            breakdown(make_deck(tmp_path / "d30", 30), runs)
            return
        report("baseline: python -c 'import click, jinja2, markdown'", time_baseline(runs))
        report("talk (this repository), cold build", time_process(ROOT, runs))
        report("30 slides, cold build", time_process(make_deck(tmp_path / "d30", 30), runs), 0.10)
        report("300 slides, cold build", time_process(make_deck(tmp_path / "d300", 300, 20), runs), 0.25)
        report(
            "30 slides, in-process rebuild of one section", time_rebuild(tmp_path / "d30", runs * 3), 0.010
        )
        pasted = time_process(make_deck(tmp_path / "pasted", 200, 10, panes=False), runs)
        pulled = time_process(make_deck(tmp_path / "panes", 200, 10, panes=True), runs)
        report("100 code blocks pasted in, cold build", pasted)
        report("100 code panes over 20 files, cold build", pulled)
        ratio = statistics.median(pulled) / statistics.median(pasted)
        print(f"{'panes / pasted':<48} {ratio:.3f}  ({'ok' if ratio <= 1.10 else 'OVER'} the 1.10 target)")


if __name__ == "__main__":
    main()
