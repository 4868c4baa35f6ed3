"""Build benchmarks: cold whole-process builds and an in-process one-section rebuild.

    .venv/bin/python bench/build.py [--runs 11]

Prints the median (and min/max) of several runs for:
- the baseline: Python starting and importing click, Jinja2 and Markdown;
- the talk (this repository's deck), cold, whole process;
- a generated 30-slide deck and a generated 300-slide deck, cold, whole process: `talkdeck build` run in
  the deck's folder, as a speaker runs it;
- an in-process rebuild of the 30-slide deck after one section changed (what the dev server does);
- a deck with 100 code panes over 20 files against the same deck with the code pasted in;
- with --breakdown, where a cold 30-slide build spends its time, phase by phase, in fresh processes.

The cold commands take turns, one run of each per round, so a machine that slows down for a while slows
them all alike instead of the one that happened to be running.
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
# The console script, as `talkdeck build` runs on a speaker's machine (python -m would add runpy's import).
_SCRIPT = Path(sys.executable).with_name("talkdeck")
TALKDECK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "talkdeck"]
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


def time_commands(commands: dict[str, tuple[list[str], Path | None]], runs: int) -> dict[str, list[float]]:
    """Run each command (argv, working folder) `runs` times, taking turns; the times of each, in seconds."""
    for argv, cwd in commands.values():  # warm the caches: bytecode, file system, the first dist/
        subprocess.run(argv, cwd=cwd, check=True, env=ENV, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, cwd) in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, cwd=cwd, check=True, env=ENV, capture_output=True)
            times[name].append(time.perf_counter() - started)
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
    "Markdown instance",
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
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--breakdown", action="store_true", help="Only time the phases of a 30-slide build.")
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.breakdown:
            print("30 slides, cold build, phase by phase:")
            breakdown(make_deck(tmp_path / "d30", 30), runs)
            return
        build = [*TALKDECK, "build"]
        cold = time_commands(
            {
                "baseline": ([sys.executable, "-c", "import click, jinja2, markdown"], None),
                "talk": ([*build, "--quiet", "--output", str(tmp_path / "talk-dist"), str(ROOT)], None),
                "30": (build, make_deck(tmp_path / "d30", 30)),
                "300": (build, make_deck(tmp_path / "d300", 300, 20)),
                "pasted": (build, make_deck(tmp_path / "pasted", 200, 10, panes=False)),
                "panes": (build, make_deck(tmp_path / "panes", 200, 10, panes=True)),
            },
            runs,
        )
        report("baseline: python -c 'import click, jinja2, markdown'", cold["baseline"])
        report("talk (this repository), cold build", cold["talk"])
        report("30 slides, cold build", cold["30"], 0.10)
        # What talkdeck adds to Python and its three libraries: steadier than either time on a noisy machine.
        build_30, baseline = statistics.median(cold["30"]), statistics.median(cold["baseline"])
        print(f"{'30 slides over the baseline':<52} median {(build_30 - baseline) * 1000:+7.1f} ms   "
              f"(x{build_30 / baseline:.2f})")
        report("300 slides, cold build", cold["300"], 0.25)
        report(
            "30 slides, in-process rebuild of one section", time_rebuild(tmp_path / "d30", runs * 3), 0.010
        )
        report("100 code blocks pasted in, cold build", cold["pasted"])
        report("100 code panes over 20 files, cold build", cold["panes"])
        ratio = statistics.median(cold["panes"]) / statistics.median(cold["pasted"])
        print(f"{'panes / pasted':<48} {ratio:.3f}  ({'ok' if ratio <= 1.10 else 'OVER'} the 1.10 target)")
    print(f"(Python {sys.version}; {'console script' if len(TALKDECK) == 1 else 'python -m talkdeck'})")


if __name__ == "__main__":
    main()
