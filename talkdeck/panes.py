"""Code panes: parts of real files, pulled onto slides at build time.

`<<< PATH[#REGION | :FIRST-LAST] [LANGUAGE] [{STEPS}]` on a line of its own; a PATH with a space or `#` goes
in double quotes, `<<< "my dir/app.py"#setup`, and inside them `#` and `:` are part of the name. Regions are
marked in the file with comment lines `# region NAME` / `# endregion NAME` (also after `//`, `--` or `;`, or
inside `<!-- -->` or `/* */`); the marker lines never show. Line numbers on the slide are the file's own.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from talkdeck.errors import DeckError, count
from talkdeck.model import CodePane
from talkdeck.paths import inside_deck
from talkdeck.patterns import LazyPattern

_LANGUAGE = r"[A-Za-z][\w+#.-]*"
PANE_LINE = LazyPattern(  # the path in double quotes (a `#` or `:` inside them is part of its name), or unquoted
    r'^<<<\s+(?P<spec>"(?P<quoted>[^"]+)"(?P<selector>[#:]\S*)?|[^\s"]\S*)'
    rf"(?:\s+(?P<lang>{_LANGUAGE}))?(?:\s+\{{(?P<steps>[^}}]*)\}})?\s*$"
)
LANGUAGE = LazyPattern(_LANGUAGE + "$")
MARKER = LazyPattern(
    r"^\s*(?:#|//|--|;|<!--|/\*)\s*(?P<kind>region|endregion)\b\s*(?P<name>[\w.-]*)\s*(?:-->|\*/)?\s*$")
STEP = LazyPattern(r"^\d+(-\d+)?$")

_BY_NAME = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "makefile": "makefile",
    "gnumakefile": "makefile",
    ".dockerignore": "plaintext",
    ".env": "bash",
    "pipfile": "ini",  # TOML
}
_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".sh": "bash",
    ".bash": "bash",
    ".toml": "ini",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".mk": "makefile",
    ".html": "html",
    ".htm": "html",
    ".xml": "xml",
    ".svg": "xml",
    ".json": "json",
    ".sql": "sql",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".css": "css",
    ".md": "markdown",
    ".dockerfile": "dockerfile",
    ".txt": "plaintext",
    ".rs": "rust",
    ".go": "go",
    # what else reveal.js's highlight.js knows, by the suffixes these languages' files have
    ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".ino": "arduino", ".cs": "csharp", ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".scala": "scala",
    ".groovy": "groovy", ".gradle": "gradle", ".swift": "swift", ".m": "objectivec", ".dart": "dart",
    ".rb": "ruby", ".erb": "erb", ".php": "php", ".pl": "perl", ".pm": "perl", ".lua": "lua", ".r": "r",
    ".jl": "julia", ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".hs": "haskell", ".clj": "clojure",
    ".elm": "elm", ".ml": "ocaml", ".fs": "fsharp", ".nim": "nim", ".cr": "crystal",
    ".jsx": "javascript", ".cjs": "javascript", ".tsx": "typescript", ".coffee": "coffeescript",
    ".vue": "xml", ".scss": "scss", ".less": "less", ".graphql": "graphql", ".gql": "graphql",
    ".proto": "protobuf", ".zsh": "bash", ".ps1": "powershell", ".bat": "dos", ".cmd": "dos",
    ".diff": "diff", ".patch": "diff", ".cmake": "cmake", ".tex": "latex", ".vim": "vim",
    ".properties": "properties", ".adoc": "asciidoc", ".j2": "django", ".jinja": "django", ".twig": "twig",
    ".hbs": "handlebars", ".nginx": "nginx", ".sv": "verilog", ".vhd": "vhdl", ".asm": "x86asm",
}


@functools.lru_cache(maxsize=256)
def guess_language(path: str) -> str:
    """The highlight.js language of a file, from its name (a deck's relative path, with `/`). Strings, not
    Path objects, and remembered: a deck may show the same file in dozens of panes."""
    folder, _, name = path.rpartition("/")
    name = name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(("dockerfile.", "containerfile.")):
        return "dockerfile"
    # requirements.txt, dev-requirements.txt, requirements-dev.in, requirements/base.txt, constraints.txt
    requirements = "requirements" in name or name.startswith("constraints") or \
        folder.rpartition("/")[2].lower() == "requirements"
    if requirements and name.endswith((".txt", ".in")):
        return "ini"
    return _BY_SUFFIX.get(os.path.splitext(name)[1], "plaintext")


class SourceFile:
    """A file's lines (LF-normalised) and its region markers."""

    __slots__ = ("path", "lines", "regions", "markers")

    def __init__(self, path: Path, lines: list[str], regions: dict[str, tuple[int, int]], markers: set[int]):
        self.path, self.lines, self.regions, self.markers = path, lines, regions, markers


class PaneResolver:
    """Resolves pane lines against the deck root, caching each file for the build."""

    def __init__(self, root: Path, output: Path | None = None):
        self.root = root
        self.output = output  # the build's output folder: a pane never shows a file the build writes
        self._files: dict[str, SourceFile] = {}

    def resolve(self, line_text: str, slide_path: Path, line: int) -> tuple[CodePane, Path]:
        match = PANE_LINE.match(line_text.strip())
        if not match:
            raise self._unreadable(line_text.strip(), slide_path, line)
        spec, lang, steps = match.group("spec"), match.group("lang"), match.group("steps")
        unquoted = not match.group("quoted")
        rel, selector = _split_spec(spec) if unquoted else (match.group("quoted"), match.group("selector") or "")
        try:
            source = self._load(rel, slide_path, line)
        except DeckError as exc:  # a missing file whose name, read with its spaces or `#`, is there: say so
            missing = exc.problems[0].missing
            quoted = _quoted_reading(self.root, line_text.strip()[3:].strip()) if missing and unquoted else ""
            if not quoted:
                raise
            raise DeckError.at(slide_path, line, exc.problems[0].message,
                               f"put the path in double quotes: `<<< {quoted}`", missing=missing) from None
        numbers, label = self._select(source, rel, selector, slide_path, line)
        texts = [source.lines[n - 1] for n in numbers]
        while texts and not texts[-1].strip():
            texts.pop()
            numbers.pop()
        if not texts:
            raise DeckError.at(
                slide_path,
                line,
                f"code pane {spec} selects no lines",
                "choose a region or range with content",
            )
        steps = (steps or "").strip()
        if steps:
            check_steps(steps, len(texts), slide_path, line)
        pane = CodePane(
            path=rel,
            lines=numbers,
            language=lang or guess_language(rel),
            text="\n".join(texts),
            label=label,
            steps=steps,
            slide_line=line,
        )
        return pane, source.path

    def _unreadable(self, text: str, slide_path: Path, line: int) -> DeckError:
        """The error for a pane line that does not parse, with the double quotes its path may lack."""
        rest = text[3:].strip()
        if rest.startswith('"') and '"' not in rest[1:]:
            quoted = _quoted_reading(self.root, rest[1:], any_name=True)
            return DeckError.at(slide_path, line, f"the quote that opens the code pane path {rest} is never closed",
                                f"write `<<< {quoted}`" if quoted else 'close it right after the path: `<<< "PATH"`')
        quoted = "" if rest.startswith('"') else _quoted_reading(self.root, rest)
        if quoted:
            hint = f"put the path in double quotes: `<<< {quoted}`"
        else:
            hint = "write `<<< PATH[#REGION | :FIRST-LAST] [LANGUAGE] [{STEPS}]`"
            words = rest.split()
            if not rest.startswith('"') and len(words) > 1 and not LANGUAGE.match(words[1]) and words[1][0] != "{":
                hint += '; a PATH with a space goes in double quotes: `<<< "my dir/app.py"`'
        return DeckError.at(slide_path, line, f"cannot read code pane {text!r}", hint)

    def read(self) -> set[Path]:
        """The files read so far, also by a build that then failed."""
        return {source.path for source in self._files.values()}

    def _load(self, rel: str, slide_path: Path, line: int) -> SourceFile:
        cached = self._files.get(rel)  # one look at the disk per file and build, however many panes show it
        if cached is None:
            path = inside_deck(self.root, rel, slide_path, line, "code pane file")
            if self.output is not None and path.resolve().is_relative_to(self.output):
                raise DeckError.at(slide_path, line, f"code pane file {rel} is in the build's output folder",
                                   "show a file of the deck's sources: the output is written from them")
            cached = self._files[rel] = _read_source(path, rel, slide_path, line)
        return cached

    def _select(
        self, source: SourceFile, rel: str, selector: str, slide_path: Path, line: int
    ) -> tuple[list[int], str]:
        total = len(source.lines)
        if not selector:
            first, last, label = 1, total, rel
        elif selector.startswith("#"):
            name = selector[1:]
            if name not in source.regions:
                known = ", ".join(sorted(source.regions)) or "none; mark one with `# region NAME`"
                raise DeckError.at(
                    slide_path, line, f"region {name!r} not found in {rel}", f"regions: {known}"
                )
            first, last = source.regions[name]
            label = f"{rel} · {name}"
        else:
            first, last = _parse_range(selector[1:], slide_path, line)
            if last > total:
                raise DeckError.at(
                    slide_path,
                    line,
                    f"line range {first}-{last} is past the end of {rel}",
                    f"the file has {count(total, 'line')}",
                )
            label = f"{rel}:{first}-{last}"
        numbers = [n for n in range(first, last + 1) if n not in source.markers]
        return numbers, label


def _split_spec(spec: str) -> tuple[str, str]:
    for sep in ("#", ":"):
        if sep in spec:
            rel, rest = spec.split(sep, 1)
            return rel, sep + rest
    return spec, ""


def _quoted_reading(root: Path, rest: str, any_name: bool = False) -> str:
    """`rest`, the pane line after `<<<`, with its path in double quotes, when a leading part of it (up to a
    space, less a `#REGION` or `:FIRST-LAST`) names a file of the deck; else ''. Unless `any_name`, only a
    name that has a space, `#` or `:`, which an unquoted path cannot hold."""
    ends = [space.start() for space in re.finditer(r"\s+", rest)] + [len(rest)]
    for end in ends:
        head, tail = rest[:end], rest[end:]
        last_word = len(head) - len(head.split()[-1]) if head.strip() else 0
        cuts = [end] + [at for at in range(last_word, end) if head[at] in "#:"]
        for cut in cuts:
            name = head[:cut]
            if not name or '"' in name or not (any_name or re.search(r"[\s#:]", name)):
                continue
            try:
                found = (root / name).is_file() and not Path(name).is_absolute()
            except OSError:
                continue
            if found:
                return f'"{name}"{head[cut:]}{tail}'
    return ""


def _parse_range(text: str, slide_path: Path, line: int) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not match:
        raise DeckError.at(
            slide_path, line, f"cannot read line range {text!r}", "write FIRST-LAST, e.g. :4-9"
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first < 1 or last < first:
        raise DeckError.at(
            slide_path,
            line,
            f"line range {text} is empty",
            "the first line must be at least 1 and not after the last",
        )
    return first, last


def check_steps(steps: str, lines: int, slide_path: Path, line: int, written: str = "") -> None:
    """Validate reveal.js line-highlight steps (`1-2|4,6`) against a block of `lines` lines; `written` shows
    them as the slide wrote them (a pane's `{1-2|4,6}` by default)."""
    for step in steps.split("|"):
        for part in step.split(","):
            part = part.strip()
            if not part:
                continue
            if not STEP.match(part):
                raise DeckError.at(
                    slide_path,
                    line,
                    f"cannot read highlight step {part!r} in {written or '{' + steps + '}'}",
                    "write line numbers and ranges like 1-2|4,6",
                )
            first, _, last = part.partition("-")
            if last and int(last) < int(first):
                raise DeckError.at(
                    slide_path,
                    line,
                    f"highlight step {part} runs backwards",
                    f"write the smaller line number first: {last}-{first}",
                )
            if int(first) < 1 or int(last or first) > lines:
                raise DeckError.at(
                    slide_path,
                    line,
                    f"highlight step {part} is outside the code",
                    f"it has {count(lines, 'line')}, counted from 1",
                )


def _read_source(path: Path, rel: str, slide_path: Path, line: int) -> SourceFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeckError.at(slide_path, line, f"cannot read code pane file {rel}: {exc.strerror}",
                           "check that you may read it") from None
    if b"\0" in data:
        raise DeckError.at(slide_path, line, f"code pane file {rel} is binary", "panes show text files only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DeckError.at(
            slide_path, line, f"code pane file {rel} is not valid UTF-8", "save it as UTF-8"
        ) from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    regions, markers = _find_regions(lines, rel, slide_path, line)
    return SourceFile(path=path, lines=lines, regions=regions, markers=markers)


def _find_regions(
    lines: list[str], rel: str, slide_path: Path, line: int
) -> tuple[dict[str, tuple[int, int]], set[int]]:
    regions: dict[str, tuple[int, int]] = {}
    open_regions: dict[str, int] = {}
    markers: set[int] = set()
    for number, text in enumerate(lines, start=1):
        match = MARKER.match(text)
        if not match:
            continue
        kind, name = match.group("kind"), match.group("name")
        where = f"{rel}:{number}"
        if not name:
            raise DeckError.at(
                slide_path, line, f"{where}: {kind} marker without a name", f"write `# {kind} NAME`"
            )
        markers.add(number)
        if kind == "region":
            if name in open_regions or name in regions:
                raise DeckError.at(
                    slide_path,
                    line,
                    f"{where}: region {name!r} is defined twice",
                    "give each region its own name",
                )
            open_regions[name] = number
        else:
            if name not in open_regions:
                raise DeckError.at(
                    slide_path,
                    line,
                    f"{where}: endregion {name!r} has no matching region",
                    f"add `# region {name}` above it",
                )
            regions[name] = (open_regions.pop(name) + 1, number - 1)
    if open_regions:
        name, start = next(iter(open_regions.items()))
        raise DeckError.at(
            slide_path,
            line,
            f"{rel}:{start}: region {name!r} is never closed",
            f"add `# endregion {name}` after its last line",
        )
    return regions, markers
