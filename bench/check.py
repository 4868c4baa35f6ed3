"""Check benchmark: `talkdeck check` of the talk, whole process (build, Chromium, every slide and step).

    .venv/bin/python bench/check.py [--runs 5] [--browser PATH]

Prints the median (and min/max) of several runs for:
- the talk (this repository's deck), against the 10 s target;
- a generated 100-slide deck with fragments and code, to see how the check grows with a deck.
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
TARGET = 10.0

SLIDE = """\
## Slide {n}: a title of some length

- A first point about containers and images
- A second point, with `inline code` and **bold** text
  {{.fragment}}
- A third point that links to [the first slide](#/section-1)
  {{.fragment}}

```python [1|2]
def slide_{n}(x):
    return x * {n}
```

Note:
What to say on slide {n}, in a couple of sentences of speaker notes.
"""


def make_deck(folder: Path, slides: int, sections: int = 10) -> Path:
    (folder / "slides").mkdir(parents=True)
    (folder / "deck.toml").write_text('title = "Benchmark deck"\nminutes = 30\n')
    per_section = slides // sections
    n = 0
    for s in range(sections):
        parts = ['+++\ntitle = "Section"\nminutes = 3\n+++\n']
        for _ in range(per_section):
            n += 1
            parts.append(SLIDE.format(n=n))
        (folder / "slides" / f"{s + 1:02d}-section.md").write_text("\n---\n\n".join(parts))
    return folder


def time_check(deck: Path, runs: int, browser: str | None) -> list[float]:
    command = [*TALKDECK, "check", str(deck), *(["--browser", browser] if browser else [])]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode not in (0, 1) or not result.stdout.strip():
            sys.exit(f"talkdeck check failed:\n{result.stdout}{result.stderr}")
    print(f"  last run: {result.stdout.strip().splitlines()[-1]}")
    return times


def report(name: str, times: list[float], target: float | None = None) -> None:
    median = statistics.median(times)
    verdict = "" if target is None else ("  ok" if median <= target else f"  OVER the {target:.0f} s target")
    print(f"{name:<44} median {median:6.2f} s   (min {min(times):.2f}, max {max(times):.2f}, "
          f"{len(times)} runs){verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", default=None, help="Chromium to use (default: as talkdeck finds it)")
    args = parser.parse_args()
    report("talk (this repository), talkdeck check", time_check(ROOT, args.runs, args.browser), TARGET)
    with tempfile.TemporaryDirectory() as tmp:
        deck = make_deck(Path(tmp) / "d100", 100)
        times = time_check(deck, max(args.runs // 2, 1), args.browser)
        report("100 slides, 300 steps, talkdeck check", times)


if __name__ == "__main__":
    main()
