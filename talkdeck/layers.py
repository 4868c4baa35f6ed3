"""The layer-cache explainer: which steps of a Dockerfile a change makes Docker run again.

The computation reads only the Dockerfile, its ignore-file and the build context (the Dockerfile's folder); it
runs no Docker. It applies the builder's cache rules as Docker documents them; checked against:

- docs.docker.com/build/cache/invalidation ("General rules"): each instruction is compared with the cache;
  ADD and COPY compare a checksum of the files they copy (content and metadata, not mtime); for every other
  instruction only the instruction itself is compared (a RUN's command string); once the cache is invalidated,
  every later instruction runs again.
- docs.docker.com/reference/dockerfile ("ARG", "Impact on build caching"): a changed ARG value causes a cache
  miss at its first use, not at its declaration, and every RUN after an ARG uses it implicitly as an
  environment variable; ENV wins over an ARG of the same name. An ARG declared before the first FROM is only
  visible inside a stage that declares it again without a value.
- docs.docker.com/reference/dockerfile ("COPY", "ADD"): sources are relative to the build context, may hold
  wildcards matched with Go's filepath.Match (``*`` and ``?`` stop at ``/``), a directory source copies its
  contents; ``--from=STAGE`` copies from an earlier stage (by name or number) or else from an image.
- docs.docker.com/build/concepts/context (".dockerignore files"): patterns are relative to the context root,
  leading and trailing slashes are dropped and the pattern is cleaned like Go's filepath.Clean; filepath.Match
  syntax plus ``**`` for any number of directories; ``!`` makes an exception and the last matching line
  decides; lines starting with ``#`` are comments; ``<Dockerfile>.dockerignore`` next to the Dockerfile takes
  precedence over the context's ``.dockerignore``. Where the docs leave details open we follow moby's
  patternmatcher: a pattern excludes a path when it matches the path or one of its parent folders.

Config instructions (ENV, WORKDIR, CMD, ...) are re-executed after a miss too, but they make no filesystem
layer, so they are shown as ``config``. Syntax whose effect on the cache we do not model (heredocs,
``RUN --mount``, ``COPY --exclude``) is refused with the Dockerfile's line rather than guessed.
"""

from __future__ import annotations

import difflib
import functools
import html
import io
import json
import os
import posixpath
import re
import shlex
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from talkdeck.errors import DeckError, Problem
from talkdeck.paths import read_text

Kind = Literal["base", "layer", "config"]
State = Literal["base", "run", "cached", "rebuilt", "config", "skipped"]
Scenario = Literal["first build", "unchanged", "rebuild"]

LAYER_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
CONFIG_INSTRUCTIONS = frozenset(
    (
        "ENV WORKDIR EXPOSE CMD ENTRYPOINT LABEL USER ARG "
        "HEALTHCHECK VOLUME STOPSIGNAL SHELL ONBUILD MAINTAINER"
    ).split()
)
KNOWN_INSTRUCTIONS = LAYER_INSTRUCTIONS | CONFIG_INSTRUCTIONS | {"FROM"}

# Flags whose effect on which files are copied we model (they change nothing about it) per instruction.
ALLOWED_FLAGS = {
    "RUN": frozenset({"network", "security"}),
    "COPY": frozenset({"from", "chown", "chmod", "link", "parents"}),
    "ADD": frozenset({"chown", "chmod", "link", "checksum", "keep-git-dir", "unpack"}),
}
# Flags that take a value (the others are switches, such as --link): what it is, for the message
VALUED_FLAGS = {"from": "STAGE", "chown": "USER[:GROUP]", "chmod": "MODE", "checksum": "sha256:DIGEST",
                "network": "default|none|host", "security": "insecure|sandbox"}
STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")  # lower-cased; moby/buildkit's dockerfile parser
REMOTE_SOURCE = re.compile(r"^(https?://|git@|git://)")
HEREDOC = re.compile(r"\d*<<-?([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")
PARSER_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")  # `# escape=`, `# syntax=...`
VARIABLE = re.compile(
    r"\\\$|\$\{(?P<braced>[A-Za-z_]\w*)(?::(?P<op>[-+])(?P<word>[^}]*))?\}|\$(?P<bare>[A-Za-z_]\w*)"
)


# ----------------------------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Step:
    """One instruction of the Dockerfile and what the build does with it."""

    line: int
    text: str
    instruction: str
    stage: str
    kind: Kind
    state: State
    reason: str = ""  # why this step missed the cache; set only on the first miss of a stage
    skipped: bool = False  # in a stage the last one does not need, which BuildKit does not build

    def describe(self) -> str:
        """The step and its reason the way Docker users say it: ``COPY . . : app.py changed``."""
        return f"{self.text} : {self.reason}" if self.reason else self.text


@dataclass(frozen=True)
class Explanation:
    """Every instruction of a Dockerfile with its state in one build scenario."""

    dockerfile: Path
    steps: tuple[Step, ...]
    scenario: Scenario = "rebuild"
    changed: tuple[str, ...] = ()  # changed files that reach the build context
    ignored: tuple[str, ...] = ()  # changed files the ignore-file keeps out of it
    build_args: tuple[tuple[str, str], ...] = ()
    ignore_file: str = ""  # the name of the ignore-file that applied, if any
    named: tuple[str, ...] = ()  # the COPY and ADD sources named as they are (no pattern), context paths

    @property
    def misses(self) -> tuple[Step, ...]:
        """The first step of each stage that missed the cache, in Dockerfile order."""
        return tuple(step for step in self.steps if step.reason)

    @property
    def first_miss(self) -> Step | None:
        return self.misses[0] if self.misses else None

    @property
    def multi_stage(self) -> bool:
        return len({step.stage for step in self.steps if step.stage}) > 1  # ARGs before FROM have none

    @property
    def skipped_stages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.stage for step in self.steps if step.skipped))

    def as_first_build(self) -> Explanation:
        """The same Dockerfile built with an empty cache: every layer runs."""
        steps = tuple(replace(s, state=_first_build_state(s), reason="") for s in self.steps)
        return Explanation(self.dockerfile, steps, "first build")

    def as_unchanged(self) -> Explanation:
        """The same Dockerfile rebuilt with nothing changed: every layer comes from the cache."""
        steps = tuple(replace(s, state=_unchanged_state(s), reason="") for s in self.steps)
        return Explanation(self.dockerfile, steps, "unchanged")


def _first_build_state(step: Step) -> State:
    return "skipped" if step.skipped else "run" if step.kind == "layer" else step.kind


def _unchanged_state(step: Step) -> State:
    return "skipped" if step.skipped else "cached" if step.kind == "layer" else step.kind


# ------------------------------------------------------------------------------------------------ parsing


@dataclass(frozen=True)
class Instruction:
    """One instruction as written, continuation lines joined."""

    line: int
    keyword: str
    text: str
    value: str


def read_instructions(dockerfile: Path) -> list[Instruction]:
    """Parse the Dockerfile and refuse what we cannot explain, every problem at once."""
    from dockerfile_parse import DockerfileParser

    _check_regular_file(dockerfile)
    # read_text locates a read or UTF-8 error; the parser gets the text back as UTF-8 bytes. It drops an
    # instruction still continued (`RUN make \`) at the end of the file, where Docker ends it and keeps it: a
    # blank line after the last line ends it in the parser too.
    text = read_text(dockerfile)
    escape = escape_character(text)
    text = _join_empty_continuations(text, escape) + "\n\n"
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    instructions: list[Instruction] = []
    problems: list[Problem] = []
    heredoc_ends: list[str] = []  # the lines that end the heredocs still open, in order
    for item in parser.structure:
        if heredoc_ends:
            if item["content"].strip() == heredoc_ends[0]:
                heredoc_ends.pop(0)
            continue
        if item["instruction"] == "COMMENT":
            continue
        instruction = _instruction(item, escape)
        heredocs = find_heredocs(instruction) if instruction.keyword in LAYER_INSTRUCTIONS else []
        if heredocs:  # (`RUN <<A cat >a && <<B cat >b`: their bodies follow one after the other)
            heredoc_ends = [heredoc.group(2) for heredoc in heredocs]
            problems.append(_heredoc_problem(dockerfile, instruction, heredocs[0].group(0)))
            continue
        problems.extend(_check_instruction(dockerfile, instruction))
        instructions.append(instruction)
    unknown = sum(i.keyword not in KNOWN_INSTRUCTIONS for i in instructions)
    if unknown >= 5 and unknown * 2 > len(instructions):  # most of it: a README, say, not a Dockerfile's typos
        raise DeckError.at(dockerfile, None, f"this is not a Dockerfile: {unknown} of its {len(instructions)} "
                           "lines start with no instruction",
                           "name the Dockerfile or its folder; a Dockerfile starts with FROM")
    problems.extend(_check_order(dockerfile, instructions))
    if problems:
        raise DeckError(problems)
    return instructions


def escape_character(text: str) -> str:
    """The line continuation character: a backslash, or what a `# escape=` parser directive at the top of the
    Dockerfile names (a backtick, for Windows paths). Directives end at the first line that is not one."""
    for line in text.split("\n"):
        directive = PARSER_DIRECTIVE.match(line)
        if directive is None:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in ("\\", "`"):
            return directive.group(2)
    return "\\"


def _join_empty_continuations(text: str, escape: str) -> str:
    """Empty lines inside a continued instruction made comments, which the instruction keeps going through.

    Docker skips such a line (with a warning) and goes on with the instruction; the parser would end it there
    and read the next line as an instruction of its own. An instruction still continued at the end of the file
    keeps its empty lines, which end it there.
    """
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), default=-1)
    continued = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if continued and (not stripped or stripped.startswith("#")):
            if not stripped and index < last:  # an instruction line still follows
                lines[index] = "#"
            continue
        continued = not stripped.startswith("#") and stripped.endswith(escape)
    return "\n".join(lines)


def _check_regular_file(dockerfile: Path) -> None:
    """Refuse a named pipe, a device or a folder before opening it: reading a named pipe waits forever."""
    try:
        mode = dockerfile.stat().st_mode
    except OSError:
        return  # read_text names the file and what is wrong with it
    if not stat.S_ISREG(mode):
        raise DeckError.at(
            dockerfile, None, f"not a regular file but {_file_kind(mode)}", "name the Dockerfile itself"
        )


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _instruction(item: Mapping[str, object], escape: str) -> Instruction:
    first, *more = str(item["content"]).splitlines()
    kept = [first] + [line for line in more if not line.lstrip().startswith("#")]
    text = " ".join(" ".join(line.rstrip().removesuffix(escape) for line in kept).split())
    return Instruction(
        int(str(item["startline"])) + 1, str(item["instruction"]).upper(), text, str(item["value"])
    )


def find_heredocs(instruction: Instruction) -> list[re.Match[str]]:
    """Words like ``<<EOF``, ``<<-EOF`` or ``<<"EOF"``: BuildKit reads each as a heredoc (Dockerfile 1.4+)."""
    try:
        words = shlex.split(instruction.value, posix=False)
    except ValueError:
        words = instruction.value.split()
    return [match for match in (HEREDOC.fullmatch(word) for word in words) if match]


def _heredoc_problem(dockerfile: Path, instruction: Instruction, marker: str) -> Problem:
    return Problem(
        dockerfile,
        instruction.line,
        f"{instruction.keyword} with a heredoc ({marker}) is not supported by the layer explainer",
        "write the commands on one RUN line joined with && and \\ continuations, or COPY a file from the build "
        "context" if instruction.keyword == "RUN" else "save the text as a file in the build context and COPY it",
    )


def _check_instruction(dockerfile: Path, instruction: Instruction) -> list[Problem]:
    keyword = instruction.keyword
    if keyword not in KNOWN_INSTRUCTIONS:
        close = difflib.get_close_matches(keyword, sorted(KNOWN_INSTRUCTIONS), n=1)
        hint = (
            f"did you mean {close[0]}?" if close else "Dockerfile instructions are RUN, COPY, FROM, ENV, ..."
        )
        return [Problem(dockerfile, instruction.line, f"unknown instruction {keyword}", hint)]
    if not instruction.value.strip():  # Docker refuses it too
        return [Problem(dockerfile, instruction.line, f"{keyword} needs at least one argument",
                        f"write what {keyword} is to do after it, or delete the line")]
    if keyword not in ALLOWED_FLAGS:
        return []
    flags, _ = split_flags(instruction.value)
    problems = [_flag_problem(dockerfile, instruction, flag) for flag in flags if flag not in ALLOWED_FLAGS[keyword]]
    for name in sorted(VALUED_FLAGS.keys() & {name for name, value in flags.items() if not value}):
        problems.append(Problem(dockerfile, instruction.line, f"{keyword} --{name} needs a value",
                                f"write --{name}={VALUED_FLAGS[name]}, with no space after the ="))
    return problems


def _flag_problem(dockerfile: Path, instruction: Instruction, flag: str) -> Problem:
    if instruction.keyword == "RUN" and flag == "mount":
        return Problem(
            dockerfile,
            instruction.line,
            "RUN --mount is not supported by the layer explainer (its cache rules depend on the mount)",
            "drop --mount from the example, or show this Dockerfile without the explainer",
        )
    allowed = ", ".join(f"--{name}" for name in sorted(ALLOWED_FLAGS[instruction.keyword]))
    return Problem(
        dockerfile,
        instruction.line,
        f"{instruction.keyword} --{flag} is not supported by the layer explainer",
        f"supported flags: {allowed}",
    )


def _check_order(dockerfile: Path, instructions: Sequence[Instruction]) -> list[Problem]:
    for instruction in instructions:
        if instruction.keyword == "FROM" or instruction.keyword not in KNOWN_INSTRUCTIONS:
            return []  # an unknown one is reported already, and may be a mistyped FROM
        if instruction.keyword != "ARG":
            return [Problem(dockerfile, instruction.line, f"{instruction.keyword} before the first FROM")]
    return [Problem(dockerfile, None, "no FROM instruction", "a Dockerfile starts with FROM IMAGE")]


def split_flags(value: str) -> tuple[dict[str, str], str]:
    """Split ``--name=value`` flags off the front of an instruction's arguments."""
    flags: dict[str, str] = {}
    rest = value.strip()
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        name, _, flag_value = word[2:].partition("=")
        flags[name.lower()] = flag_value
        rest = rest.lstrip()
    return flags, rest


def copy_arguments(rest: str) -> list[str]:
    """COPY/ADD arguments in either form: JSON array or whitespace separated."""
    if rest.startswith("["):
        try:
            words = json.loads(rest)
        except json.JSONDecodeError:
            words = None
        if isinstance(words, list) and all(isinstance(word, str) for word in words):
            return words
    return rest.split()


# ---------------------------------------------------------------------------------------------- variables


def expand(text: str, scope: Mapping[str, str]) -> str:
    """Substitute ``$NAME``, ``${NAME}``, ``${NAME:-word}`` and ``${NAME:+word}`` as the Dockerfile does."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "\\$":
            return "$"
        value = scope.get(match.group("braced") or match.group("bare") or "", "")
        if match.group("op") == "-":
            return value or match.group("word")
        if match.group("op") == "+":
            return match.group("word") if value else ""
        return value

    return VARIABLE.sub(substitute, text)


def assignments(value: str) -> list[tuple[str, str | None]]:
    """``A=1 B="x y" C`` as pairs; a name without ``=`` has no value. Raises ValueError on bad quoting."""
    try:
        words = shlex.split(value, posix=True)
    except ValueError as err:
        raise ValueError(f"cannot read {value!r}: {err}") from None
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, assigned = word.partition("=")
        pairs.append((name, assigned if equals else None))
    return pairs


def env_assignments(value: str) -> list[tuple[str, str]]:
    """ENV in both forms: ``ENV A=1 B=2`` and the legacy ``ENV A some value``."""
    first = value.split(None, 1)
    if first and "=" not in first[0]:
        if len(first) == 1:  # Docker refuses it too
            raise ValueError(f"ENV {first[0]} has no value: write ENV {first[0]}=VALUE")
        return [(first[0], first[1])]
    pairs = assignments(value)
    for name, assigned in pairs:
        if assigned is None:
            raise ValueError(f"ENV {name} has no value: write ENV {name}=VALUE")
    return [(name, assigned or "") for name, assigned in pairs]


@dataclass
class Scope:
    """Variables visible to an instruction, in the previous build (``old``) and in the rebuild (``new``)."""

    old: dict[str, str] = field(default_factory=dict)
    new: dict[str, str] = field(default_factory=dict)
    args: set[str] = field(default_factory=set)

    def changed(self, names: Iterable[str] | None = None) -> list[str]:
        """Variables whose value differs between the builds; all of them, or those of ``names``."""
        wanted = set(self.old) | set(self.new)
        if names is not None:
            wanted &= set(names)
        return sorted(name for name in wanted if self.old.get(name) != self.new.get(name))

    def describe_change(self, name: str) -> str:
        what = "build argument" if name in self.args else "ENV"
        return f"{what} {name} changed ({self.old.get(name, '')!r} to {self.new.get(name, '')!r})"

    def copy(self) -> Scope:
        return Scope(dict(self.old), dict(self.new), set(self.args))


def used_variables(text: str) -> set[str]:
    return {m.group("braced") or m.group("bare") for m in VARIABLE.finditer(text) if m.group(0) != "\\$"}


# --------------------------------------------------------------------------------------- the .dockerignore


def go_glob(pattern: str, double_star: bool) -> str:
    """A regex for a Go filepath.Match pattern; with ``double_star``, ``**`` as in a .dockerignore."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*" and double_star and pattern[i + 1 : i + 2] == "*":
            i += 2
            if pattern[i : i + 1] == "/":
                i += 1
            out.append(".*" if i >= len(pattern) else "(.*/)?")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise ValueError(f"unterminated character class in {pattern!r}")
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append(f"[{body}]")
            i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def glob_regex(pattern: str, double_star: bool) -> re.Pattern[str]:
    try:
        return re.compile(go_glob(pattern, double_star))
    except re.error as err:
        raise ValueError(f"bad pattern {pattern!r}: {err}") from None


def clean_path(path: str) -> str:
    """Go's filepath.Clean on a slash path."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    regex: re.Pattern[str]
    exception: bool

    def matches(self, path: str) -> bool:
        parts = path.split("/")
        return any(self.regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of a .dockerignore; ``path`` is None when there is none."""

    path: Path | None
    rules: tuple[IgnoreRule, ...] = ()

    @property
    def has_exceptions(self) -> bool:
        return any(rule.exception for rule in self.rules)

    def excludes(self, path: str) -> bool:
        excluded = False
        for rule in self.rules:
            if rule.exception == excluded and rule.matches(path):
                excluded = not rule.exception
        return excluded


def ignore_file_candidates(dockerfile: Path) -> tuple[Path, Path]:
    """Where an ignore-file may live, the Dockerfile-specific one first (it wins when both exist)."""
    return dockerfile.with_name(dockerfile.name + ".dockerignore"), dockerfile.parent / ".dockerignore"


def input_files(dockerfile: Path | str) -> list[Path]:
    """Files whose edits change an explanation, besides the context's: for a dev server to watch."""
    dockerfile = Path(dockerfile)
    return [dockerfile, *ignore_file_candidates(dockerfile)]


def find_ignore_file(dockerfile: Path) -> Path | None:
    for candidate in ignore_file_candidates(dockerfile):
        if candidate.is_file():
            return candidate
    return None


def read_ignore_file(dockerfile: Path) -> IgnoreFile:
    path = find_ignore_file(dockerfile)
    if path is None:
        return IgnoreFile(None)
    rules: list[IgnoreRule] = []
    problems: list[Problem] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        try:
            rule = parse_ignore_line(line)
        except ValueError as err:
            problems.append(Problem(path, number, str(err)))
            continue
        if rule is not None:
            rules.append(rule)
    if problems:
        raise DeckError(problems)
    return IgnoreFile(path, tuple(rules))


def parse_ignore_line(line: str) -> IgnoreRule | None:
    """One line of a .dockerignore, preprocessed as Docker does; None for comments and blank lines."""
    pattern = line.strip()
    if not pattern or pattern.startswith("#"):
        return None
    exception = pattern.startswith("!")
    if exception:
        pattern = pattern[1:].strip()
        if not pattern:
            raise ValueError('illegal exclusion pattern "!" (a ! needs a pattern after it)')
    pattern = clean_path(pattern)
    if len(pattern) > 1 and pattern.startswith("/"):
        pattern = pattern[1:]
    return IgnoreRule(pattern, glob_regex(pattern, double_star=True), exception)


# ------------------------------------------------------------------------------------------- build context


@dataclass(frozen=True)
class Context:
    """The build context: every entry below the Dockerfile's folder, and those the ignore-file lets through.

    An entry is anything but a folder: a file, a symbolic link (to a file or a folder; Docker sends the link,
    never what it points to) or a special file such as a named pipe.
    """

    root: Path
    ignore: IgnoreFile
    files: frozenset[str]
    included: frozenset[str]


def read_context(dockerfile: Path) -> Context:
    root = dockerfile.parent
    ignore = read_ignore_file(dockerfile)
    files = frozenset(walk(root, ignore))
    return Context(root, ignore, files, frozenset(f for f in files if not ignore.excludes(f)))


def walk(root: Path, ignore: IgnoreFile | None = None, prefix: str = "") -> Iterable[str]:
    """Entries below ``root`` as slash paths; folders the ignore-file excludes for good are not entered.

    With no ``!`` exception nothing inside an excluded folder can come back, so a .venv or node_modules in
    the context costs nothing (Docker's own context walk skips them the same way). A symbolic link to a folder
    is an entry like a file, never walked; nothing is opened.
    """
    prune = ignore is not None and not ignore.has_exceptions
    for folder, dirs, names in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        base = prefix + ("" if relative == "." else relative + "/")
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = [d for d in dirs if d not in links and not (prune and ignore.excludes(base + d))]
        yield from (base + name for name in [*names, *links])


def resolve_changes(
    dockerfile: Path, context: Context, changed: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The changed files as context paths, split into (reaching the build, kept out by the ignore-file)."""
    files: list[str] = []
    problems: list[Problem] = []
    for path in changed:
        try:
            files.extend(_changed_files(context, path))
        except ValueError as err:  # one that is not there: made later, it is the fix (the dev server waits for it)
            missing = context.root / err.path if isinstance(err, MissingSource) and err.path else None
            problems.append(Problem(dockerfile, None, str(err), missing=missing))
    unique = sorted(set(files))
    # "ignored" means kept out by the ignore-file, and is reported in its name; a path the disk has but the
    # context walk did not list (APP.py for app.py on a case-insensitive disk) is neither
    problems += [Problem(dockerfile, None, _not_in_context(f, context)) for f in unique if _unknown(f, context)]
    if problems:
        raise DeckError(problems)
    return [f for f in unique if f in context.included], [f for f in unique if f not in context.included]


def _unknown(path: str, context: Context) -> bool:
    return path not in context.files and not context.ignore.excludes(path)


def _not_in_context(path: str, context: Context) -> str:
    close = difflib.get_close_matches(path, sorted(context.files), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"changed file {path} does not exist in the build context{hint}"


def _changed_files(context: Context, path: str) -> list[str]:
    """The context entries a changed path stands for: itself, or every entry of a folder."""
    cleaned = clean_path(path.replace(os.sep, "/"))
    if cleaned.startswith("/") or cleaned == ".." or cleaned.startswith("../"):
        raise ValueError(
            f"changed file {path} lies outside the build context (the Dockerfile's folder); "
            "name files relative to that folder"
        )
    on_disk = context.root / cleaned
    link = _linked_folder(context.root, cleaned)
    if link is not None:  # a file edited through a link to a folder of the context is the file it reaches
        followed = _followed(context.root, cleaned)
        if followed is None:
            raise ValueError(
                f"changed file {path} lies behind the symbolic link {link}, which leads out of the build "
                f"context (or round in circles): the build context holds the link, not what it points to; "
                f"name the link {link} instead"
            )
        if not os.path.lexists(context.root / followed):
            raise MissingSource(_not_in_context(path, context), cleaned)
        return _changed_files(context, followed)
    if cleaned == "." or (on_disk.is_dir() and not on_disk.is_symlink()):
        return list(walk(on_disk, prefix="" if cleaned == "." else cleaned + "/"))
    if on_disk.is_symlink():  # the link changed, or what it points to was edited through it: both count
        followed = _followed(context.root, cleaned)
        behind = [] if followed in (None, cleaned) or not (context.root / followed).exists() else (
            _changed_files(context, followed))
        return [cleaned, *behind]
    if os.path.lexists(on_disk):  # a file, a broken link or a named pipe: one entry
        return [cleaned]
    raise MissingSource(_not_in_context(path, context), cleaned)


def _linked_folder(root: Path, path: str) -> str | None:
    """The first folder on ``path`` that is a symbolic link, if any: Docker sends the link, nothing behind it."""
    parts = path.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if (root / folder).is_symlink():
            return folder
    return None


class Unsupported(ValueError):
    """Dockerfile syntax whose effect on the cache the explainer does not model, with what to do instead."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


class MissingSource(ValueError):
    """A COPY or ADD source, or a changed file, that matches nothing in the build context; `path`, when it names
    one file or folder as it is (no pattern), is that path."""

    def __init__(self, message: str, path: str | None):
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Source:
    """One COPY/ADD source as a pattern over context paths."""

    pattern: str
    double_star: bool = False  # COPY --parents: `**` matches any number of folders, none included
    link: str | None = None  # the symbolic link the source names, which COPY follows to `pattern`

    @property
    def everything(self) -> bool:
        return self.pattern == "."

    def covers(self, path: str) -> bool:
        """Whether copying this source copies ``path``: the path or one of its folders matches (or the link
        that leads to it)."""
        if path == self.link:
            return True
        if self.everything:
            return True
        if self.double_star:
            regex = glob_regex(self.pattern, True)
            parts = path.split("/")
            return any(regex.fullmatch("/".join(parts[:depth])) for depth in range(1, len(parts) + 1))
        depth = self.pattern.count("/") + 1
        parts = path.split("/")
        return len(parts) >= depth and bool(
            glob_regex(self.pattern, False).fullmatch("/".join(parts[:depth]))
        )


# ------------------------------------------------------------------------------------------ the computation


# Build arguments Docker predefines: given with --build-arg, they change no step unless an ARG declares them
# (docs.docker.com/reference/dockerfile, "Predefined ARGs").
PREDEFINED_ARGS = frozenset(
    name for base in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY")
    for name in (base, base.lower())
)


@dataclass
class StageState:
    """A stage as the walk has built it so far. What a rebuild changes in its files is known as paths, as long
    as only COPY and ADD ran again: BuildKit's COPY --from compares the content of the paths it copies, so a
    stage rebuilt around unchanged paths still gives a cached COPY --from (docs.docker.com/build/cache/
    invalidation; BuildKit's file operations key on a checksum of the selected paths)."""

    name: str
    index: int
    line: int = 0  # of its FROM
    rebuilt: bool = False
    scope: Scope = field(default_factory=Scope)
    workdir: str = "/"
    changes: set[str] = field(default_factory=set)  # absolute paths a rebuild writes anew, with other content
    ran_again: int = 0  # the line after which anything may differ: a RUN that ran again, a new base or WORKDIR
    onbuild: int = 0  # the line of an ONBUILD: its instruction runs in a stage built FROM this one
    needs: set[int] = field(default_factory=set)  # the stages it is built FROM or copies from


@dataclass
class Builder:
    """Walks the instructions once, stage by stage, deciding each step's state."""

    dockerfile: Path
    context: Context
    changed: Sequence[str]
    build_args: Mapping[str, str]
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stages: list[StageState] = field(default_factory=list)
    globals: Scope = field(default_factory=Scope)
    scope: Scope = field(default_factory=Scope)
    declared: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)  # the sources named as they are, not as patterns (app.py, src)
    step_stages: list[int] = field(default_factory=list)  # the index of each step's stage; -1 before any FROM

    @property
    def stage(self) -> StageState | None:
        return self.stages[-1] if self.stages else None

    def run(self, instructions: Sequence[Instruction]) -> None:
        for instruction in instructions:
            try:
                self.step(instruction)
            except ValueError as err:
                hint = err.hint if isinstance(err, Unsupported) else None
                if isinstance(err, MissingSource) and instruction.keyword in ("COPY", "ADD"):
                    folder = self.context.root.resolve()
                    hint = (f"the sources of {instruction.keyword} are relative to the build context, "
                            f"{folder.name or folder}/")
                if instruction.keyword in ("COPY", "ADD") and instruction.value.lstrip().startswith("["):
                    # not JSON, so Docker reads it as words too, and the first one is a glob gone wrong
                    hint = 'the JSON form is an array of quoted strings with commas: COPY ["app.py", "."]'
                # a source named as it is, missing: made later, it is the fix (the dev server waits for it)
                missing = self.context.root / err.path if isinstance(err, MissingSource) and err.path else None
                if missing is not None and os.path.lexists(missing):  # there, but kept out by .dockerignore
                    missing = None
                self.problems.append(Problem(self.dockerfile, instruction.line, str(err), hint, missing=missing))
        undeclared = sorted(set(self.build_args) - self.declared - PREDEFINED_ARGS)
        if undeclared:
            message = f"build argument {', '.join(undeclared)} is not declared by any ARG in the Dockerfile"
            self.problems.append(Problem(self.dockerfile, None, message))

    def step(self, instruction: Instruction) -> None:
        if instruction.keyword == "FROM":
            self.add(instruction, "base", *self.start_stage(instruction))
        elif self.stage is None:
            self.declare_args(instruction, self.globals, global_scope=True)
            self.add(instruction, "config", "config", "")
        elif instruction.keyword in LAYER_INSTRUCTIONS:
            self.add(instruction, "layer", *self.layer_state(instruction))
        else:
            # WORKDIR creates its folder, a step BuildKit caches like a layer: a changed path (WORKDIR $DIR after
            # DIR changed) misses the cache. ENV, USER, CMD and the like change only the configuration: the RUN
            # steps that see it miss (run_reason), a COPY does not.
            used = self.scope.changed(used_variables(instruction.value)) if instruction.keyword == "WORKDIR" else []
            reason = ""
            if used and not self.stage.rebuilt:
                self.stage.rebuilt = True
                reason = self.scope.describe_change(used[0])
            if used and not self.stage.ran_again:  # a new folder: what goes in it lands elsewhere
                self.stage.ran_again = instruction.line
            self.configure(instruction)
            if instruction.keyword == "WORKDIR":
                folder = expand(instruction.value.strip(), self.scope.new)
                self.stage.workdir = posixpath.normpath(posixpath.join(self.stage.workdir, folder))
            elif instruction.keyword == "ONBUILD":
                self.stage.onbuild = self.stage.onbuild or instruction.line
            self.add(instruction, "config", "config", reason)

    def add(self, instruction: Instruction, kind: Kind, state: State, reason: str) -> None:
        stage = self.stage.name if self.stage else ""
        self.step_stages.append(self.stage.index if self.stage else -1)
        self.steps.append(
            Step(instruction.line, instruction.text, instruction.keyword, stage, kind, state, reason)
        )

    # FROM ------------------------------------------------------------------------------------------------

    def start_stage(self, instruction: Instruction) -> tuple[State, str]:
        _, rest = split_flags(instruction.value)
        words = rest.split()
        if not words or (len(words) > 1 and (len(words) != 3 or words[1].lower() != "as")):
            raise ValueError("FROM needs an image and optionally AS NAME (FROM IMAGE [AS NAME])")
        old, new = expand(words[0], self.globals.old), expand(words[0], self.globals.new)
        base = self.find_stage(new)
        name = words[2].lower() if len(words) == 3 else str(len(self.stages))  # BuildKit expands no ARG in it
        stage = StageState(name, len(self.stages), line=instruction.line)
        self.stages.append(stage)
        if base is not None:  # what the stage built so far is the start of this one: files, ENV, ARGs, WORKDIR
            if base.onbuild:
                raise Unsupported(
                    f"stage {base.name} has an ONBUILD instruction (line {base.onbuild}), which runs here, at the "
                    "start of a stage built FROM it; the layer explainer does not model ONBUILD",
                    "write the instruction in this stage instead, or show this Dockerfile without the explainer",
                )
            stage.scope, stage.workdir = base.scope.copy(), base.workdir
            stage.changes, stage.ran_again = set(base.changes), base.ran_again
            stage.needs.add(base.index)
        self.scope = stage.scope
        if len(words) == 3 and not STAGE_NAME.fullmatch(name):  # the stage stands: later lines are read in it
            raise Unsupported(f"stage name {words[2]} is not one Docker accepts (it stops with \"invalid name for "
                              "build stage\"): a letter first, then letters, digits, -, _ or .",
                              "name the stage otherwise, such as build or app")
        if base is not None and base.rebuilt:
            return self.miss(f"stage {base.name} was rebuilt")
        if old != new:
            stage.ran_again = instruction.line  # every file of the stage may differ
            return self.miss(f"base image changed ({old} to {new})")
        return "base", ""

    def find_stage(self, reference: str) -> StageState | None:
        """The stage a FROM or COPY --from names, by name or number. Of two stages of one name (BuildKit warns:
        DuplicateStageName), the later one: BuildKit's map of stages by name keeps the last."""
        for stage in reversed(self.stages):
            if reference.lower() in (stage.name, str(stage.index)):
                return stage
        return None

    # ARG and ENV -----------------------------------------------------------------------------------------

    def configure(self, instruction: Instruction) -> None:
        if instruction.keyword == "ARG":
            self.declare_args(instruction, self.scope, global_scope=False)
        elif instruction.keyword == "ENV":
            self.set_env(instruction)

    def declare_args(self, instruction: Instruction, scope: Scope, global_scope: bool) -> None:
        if instruction.keyword != "ARG":
            raise ValueError(f"{instruction.keyword} before the first FROM")
        for name, default in assignments(instruction.value):
            if default is None and not global_scope and name in self.globals.args:
                old, new = self.globals.old.get(name), self.globals.new.get(name)
            elif default is None:
                old = new = None
            else:
                old, new = expand(default, scope.old), expand(default, scope.new)
            new = self.build_args.get(name, new)
            self.declared.add(name)
            scope.args.add(name)
            _assign(scope.old, name, old)
            _assign(scope.new, name, new)

    def set_env(self, instruction: Instruction) -> None:
        for name, value in env_assignments(instruction.value):
            old, new = expand(value, self.scope.old), expand(value, self.scope.new)
            self.scope.args.discard(name)
            self.scope.old[name], self.scope.new[name] = old, new

    # RUN, COPY, ADD --------------------------------------------------------------------------------------

    def layer_state(self, instruction: Instruction) -> tuple[State, str]:
        reason = (
            self.run_reason(instruction) if instruction.keyword == "RUN" else self.copy_reason(instruction)
        )
        stage = self.stage
        assert stage is not None
        if stage.rebuilt:
            # COPY --link copies onto an empty layer and merges it on top: its cache does not depend on the
            # steps before it, only on what it copies (docs.docker.com/reference/dockerfile, "COPY --link")
            state: State = "cached" if not reason and _switched_on(split_flags(instruction.value)[0], "link") \
                else "rebuilt"
            reason = ""  # told at the stage's first miss
        else:
            state, reason = self.miss(reason) if reason else ("cached", "")
        if instruction.keyword == "RUN" and state == "rebuilt" and not stage.ran_again:
            stage.ran_again = instruction.line
        return state, reason

    def miss(self, reason: str) -> tuple[State, str]:
        assert self.stage is not None
        self.stage.rebuilt = True
        return "rebuilt", reason

    def run_reason(self, instruction: Instruction) -> str:
        # Every variable in scope is in a RUN's environment, used in its text or not.
        changed = self.scope.changed()
        return self.scope.describe_change(changed[0]) if changed else ""

    def copy_reason(self, instruction: Instruction) -> str:
        flags, rest = split_flags(instruction.value)
        words = copy_arguments(rest)
        if len(words) < 2:
            raise ValueError(f"{instruction.keyword} needs at least one source and a destination")
        variables = self.scope.changed(used_variables(instruction.value))  # sources, destination and flags
        destination = expand(words[-1], self.scope.new)
        target = posixpath.normpath(posixpath.join(self.stage.workdir, destination))
        if "from" in flags:
            sources = [expand(word, self.scope.new) for word in words[:-1]]
            reason = self.from_reason(expand(flags["from"], self.scope.new), variables, sources)
            if reason:
                self.stage.changes.add(target)
            return reason
        parents = _switched_on(flags, "parents")
        sources = [self.source(instruction, expand(word, self.scope.new), parents) for word in words[:-1]]
        files = [f for f in self.changed if any(s and s.covers(f) for s in sources)]
        if variables or (files and (instruction.keyword == "ADD" or parents)):  # (what ADD unpacks is not known)
            self.stage.changes.add(target)
        else:
            # into a folder: several sources, or a destination that names one (app/, ., ..), as BuildKit reads it
            several = len(sources) > 1 or destination.endswith("/") or posixpath.basename(destination) in (".", "..")
            self.stage.changes.update(_copied_to(f, sources, target, several) for f in files)
        if variables:
            return self.scope.describe_change(variables[0])
        return _files_changed(files)

    def from_reason(self, reference: str, variables: list[str], sources: Sequence[str]) -> str:
        stage = self.find_stage(reference)
        if stage is self.stage and stage is not None:
            raise ValueError(f"COPY --from={reference} copies from its own stage")
        if stage is not None:
            self.stage.needs.add(stage.index)
            if stage.ran_again:
                return f"stage {stage.name} was rebuilt"
            # paths in the other stage, from its root; a pattern stands for the folder its wildcards are in
            paths = ["/" + clean_path(re.split(r"[*?\[]", word, maxsplit=1)[0]).lstrip("/") for word in sources]
            changed = sorted(c for c in stage.changes if any(_overlaps(c, path) for path in paths))
            if changed:
                return f"{changed[0]} changed in stage {stage.name}"
        return self.scope.describe_change(variables[0]) if variables else ""

    def source(self, instruction: Instruction, word: str, parents: bool = False) -> Source | None:
        if instruction.keyword == "ADD" and REMOTE_SOURCE.match(word):
            return None
        pattern = clean_path(word).lstrip("/") or "."
        while pattern == ".." or pattern.startswith("../"):  # BuildKit drops them: nothing is above the context
            pattern = pattern[3:] or "."
        source = Source(pattern, double_star=parents)
        literal = pattern if pattern != "." and not any(c in pattern for c in "*?[") else None
        followed = _followed(self.context.root, literal) if literal else None
        if followed is not None and followed != literal:  # COPY follows a link in the context to what it names
            source = Source(followed, double_star=parents, link=literal)
        if not any(source.covers(f) for f in self.context.included):
            if literal is None:  # a wildcard that matches nothing copies nothing; BuildKit allows it
                return source
            folder = self.context.root / source.pattern
            if folder.is_dir() and not self.context.ignore.excludes(source.pattern):
                self.named.add(literal)
                return source  # a folder with nothing in it (or all of it ignored): an empty folder is copied
            raise MissingSource(self.missing_source_message(instruction, word, source), literal)
        if literal:
            self.named.add(literal)
        return source

    def missing_source_message(self, instruction: Instruction, word: str, source: Source) -> str:
        message = f"{instruction.keyword} source {word} matches no file in the build context"
        if any(source.covers(f) for f in self.context.files) and self.context.ignore.path is not None:
            return message + f" (every match is excluded by {self.context.ignore.path.name})"
        names = sorted(self.context.included | {posixpath.dirname(f) for f in self.context.included} - {""})
        close = difflib.get_close_matches(source.pattern, names, n=1)
        return message + (f" (did you mean {close[0]}?)" if close else "")


def _followed(root: Path, rel: str, depth: int = 0) -> str | None:
    """The context path that `rel` names once the symbolic links on it are followed, as COPY follows them
    (within the context only); None for a link that leads out of it, or round in circles."""
    parts = rel.split("/")
    for index in range(len(parts)):
        place = root.joinpath(*parts[:index + 1])
        if place.is_symlink():
            try:
                inner = place.resolve().relative_to(root.resolve()).as_posix()
            except (OSError, ValueError, RuntimeError):  # RuntimeError: Python 3.11's pathlib on a loop
                return None
            if depth > 8:
                return None
            return _followed(root, "/".join([inner, *parts[index + 1:]]).strip("/") or ".", depth + 1)
    return rel


def _switched_on(flags: Mapping[str, str], name: str) -> bool:
    """Whether a switch such as --link or --parents is on: given bare or with a value other than false or 0."""
    return name in flags and flags[name].lower() not in ("false", "0")


def _copied_to(path: str, sources: Sequence[Source | None], target: str, several: bool) -> str:
    """Where COPY writes the context file ``path``: under the destination as the source that copies it names
    it (a folder's content goes in without the folder's name). A wildcard's match is only known to land in
    the destination."""
    for source in sources:
        if source is None or not source.covers(path):
            continue
        if source.everything:
            return posixpath.join(target, path)
        if source.double_star or any(c in source.pattern for c in "*?["):
            return target
        if path == source.pattern:
            return posixpath.join(target, posixpath.basename(path)) if several else target
        return posixpath.join(target, path[len(source.pattern) + 1:])
    return target


def _overlaps(one: str, other: str) -> bool:
    """Whether two absolute paths are the same, or one is inside the other."""
    one, other = posixpath.normpath(one), posixpath.normpath(other)
    return one == other or one.startswith(other.rstrip("/") + "/") or other.startswith(one.rstrip("/") + "/")


def _assign(values: dict[str, str], name: str, value: str | None) -> None:
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value


def _files_changed(files: Sequence[str]) -> str:
    if not files:
        return ""
    if len(files) == 1:
        return f"{files[0]} changed"
    if len(files) <= 3:
        return f"{', '.join(files[:-1])} and {files[-1]} changed"
    return f"{', '.join(files[:2])} and {len(files) - 2} more files changed"


def explain(
    dockerfile: Path | str, changed: Sequence[str] = (), build_args: Mapping[str, str] | None = None
) -> Explanation:
    """What a rebuild does after ``changed`` (paths relative to the Dockerfile's folder) changed.

    ``build_args`` are ``--build-arg`` values given to the rebuild where the previous build used the
    Dockerfile's defaults. Raises DeckError, naming the Dockerfile's line, for anything it cannot explain.
    """
    dockerfile = Path(dockerfile)
    if isinstance(changed, str):
        raise TypeError("changed must be a sequence of paths, not one string")
    instructions = read_instructions(dockerfile)
    context = read_context(dockerfile)
    files, ignored = resolve_changes(dockerfile, context, changed)
    builder = Builder(dockerfile, context, files, dict(build_args or {}))
    builder.run(instructions)
    if builder.problems:
        raise DeckError(builder.problems)
    args = tuple(sorted((build_args or {}).items()))
    ignore_file = context.ignore.path.name if context.ignore.path else ""
    # BuildKit builds only the stages the last one needs (docs.docker.com/build/building/multi-stage)
    needed, waiting = set(), [len(builder.stages) - 1]
    while waiting:
        index = waiting.pop()
        if index not in needed:
            needed.add(index)
            waiting += builder.stages[index].needs
    steps = tuple(replace(step, state="skipped", reason="", skipped=True) if index >= 0 and index not in needed
                  else step
                  for step, index in zip(builder.steps, builder.step_stages, strict=True))
    return Explanation(dockerfile, steps, "rebuild", tuple(files), tuple(ignored), args, ignore_file,
                       tuple(sorted(builder.named)))


def first_build(dockerfile: Path | str) -> Explanation:
    """The slide's first scenario: an empty cache, every layer runs."""
    return explain(dockerfile).as_first_build()


def unchanged(dockerfile: Path | str) -> Explanation:
    """The slide's second scenario: a rebuild with nothing changed, every layer cached."""
    return explain(dockerfile).as_unchanged()


# --------------------------------------------------------------------------------------------- the terminal


def render_text(explanation: Explanation) -> str:
    """One aligned line per instruction (``LINE  STATE  INSTRUCTION``), then what missed the cache and why."""
    steps = explanation.steps
    line_width = max(len("LINE"), *(len(str(step.line)) for step in steps))
    state_width = max(len("STATE"), *(len(step.state) for step in steps))
    rows = [f"{'LINE':>{line_width}}  {'STATE':<{state_width}}  INSTRUCTION"]
    rows += [f"{step.line:>{line_width}}  {step.state:<{state_width}}  {step.text}" for step in steps]
    return "\n".join([*rows, "", *summary(explanation)]) + "\n"


def summary(explanation: Explanation) -> list[str]:
    """What a speaker says about the scenario, one sentence a line."""
    lines = _ignored_lines(explanation) + _skipped_lines(explanation)
    if explanation.scenario == "first build":
        return [*lines, "first build: every step runs" + (" in the stages built" if explanation.skipped_stages else "")]
    lines += _remote_lines(explanation)
    misses = explanation.misses
    if not misses:
        return [*lines, _nothing_missed(explanation)]
    first, *others = misses
    lines.append(f"first cache miss: line {first.line}, {first.describe()}")
    lines += [
        f"in stage {miss.stage}: first cache miss at line {miss.line}, {miss.describe()}" for miss in others
    ]
    return lines


def _skipped_lines(explanation: Explanation) -> list[str]:
    """Stages the last one needs nothing from: BuildKit does not build them."""
    names = explanation.skipped_stages
    if not names:
        return []
    if len(names) == 1:
        return [f"stage {names[0]} is not built: the last stage needs nothing from it"]
    return [f"stages {', '.join(names[:-1])} and {names[-1]} are not built: the last stage needs nothing from them"]


def _remote_lines(explanation: Explanation) -> list[str]:
    """ADD from a URL: Docker checks the remote file on every build, which no file here can say."""
    lines = []
    for step in explanation.steps:
        if step.instruction == "ADD" and step.state == "cached":
            _, rest = split_flags(step.text.split(None, 1)[1] if " " in step.text else "")
            if any(REMOTE_SOURCE.match(word) for word in copy_arguments(rest)[:-1]):
                lines.append(f"line {step.line}: ADD fetches its URL again on every build and misses the cache "
                             "if the remote file changed; shown as cached, as if it did not")
    return lines


def _ignored_lines(explanation: Explanation) -> list[str]:
    if not explanation.ignored:
        return []
    files = ", ".join(explanation.ignored)
    them = "it" if len(explanation.ignored) == 1 else "them"
    return [f"{explanation.ignore_file} keeps {files} out of the build context: no step sees {them}"]


def _nothing_missed(explanation: Explanation) -> str:
    if explanation.changed:
        steps = "no step of the stages built" if explanation.skipped_stages else "no step"
        return f"{steps} uses {', '.join(explanation.changed)}: every step is cached"
    if explanation.ignored:
        return "no changed file reaches the build: every step is cached"
    return "nothing changed: every step is cached"


# ------------------------------------------------------------------------------------------------ the slide

LAYERS_CSS = """\
.reveal .td-layers { font-size: 0.45em; line-height: 1.2; text-align: left; width: 100%; margin: 0 auto; }
.reveal .td-layers-row {
  display: grid; grid-template-columns: 2em minmax(0, 1fr) repeat(3, 7.4em);
  gap: 0 0.45em; align-items: center; margin: 0.14em 0;
}
.reveal .td-layers.td-layers-dense { font-size: 0.33em; }
.reveal .td-layers-two .td-layers-row { grid-template-columns: 2em minmax(0, 1fr) repeat(2, 7.4em); }
.reveal .td-layers-row.td-layers-base { margin-top: 0.45em; }
.reveal .td-layers-head + .td-layers-row.td-layers-base { margin-top: 0; }
.reveal .td-layers-line {
  text-align: right; opacity: 0.6; font-size: 0.8em; font-variant-numeric: tabular-nums;
}
.reveal .td-layers-text {
  font-family: var(--r-code-font, monospace); white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  padding: 0.22em 0.5em; border-radius: 0.2em; box-sizing: border-box;
}
.reveal .td-layers-layer .td-layers-text {
  background: rgba(66, 133, 244, 0.14); border: 2px solid rgba(66, 133, 244, 0.75);
}
.reveal .td-layers-config .td-layers-text {
  border: 1px dashed rgba(128, 128, 128, 0.85); font-size: 0.85em; padding: 0.08em 0.6em; opacity: 0.85;
}
.reveal .td-layers-base .td-layers-text {
  background: rgba(128, 128, 128, 0.22); border: 2px solid rgba(128, 128, 128, 0.85);
  border-bottom-width: 0.3em; font-weight: bold;
}
.reveal .td-layers-head { font-weight: bold; font-size: 0.9em; align-items: end; margin-bottom: 0.3em; }
.reveal .td-layers-head .td-layers-state { text-align: center; line-height: 1.1; }
.reveal .td-layers-badge {
  display: block; text-align: center; padding: 0.14em 0.3em; border-radius: 1em; font-size: 0.9em;
  border: 2px solid transparent; white-space: nowrap;
}
.reveal .td-layers-badge.td-layers-run {
  background: rgba(66, 133, 244, 0.22); border-color: rgba(66, 133, 244, 0.85);
}
.reveal .td-layers-badge.td-layers-cached {
  background: rgba(52, 168, 83, 0.22); border-color: rgba(52, 168, 83, 0.9);
}
.reveal .td-layers-badge.td-layers-rebuilt {
  background: rgba(234, 134, 0, 0.25); border-color: rgba(234, 134, 0, 0.95);
}
.reveal .td-layers-badge.td-layers-miss {
  background: rgb(200, 40, 30); border-color: rgb(200, 40, 30); color: #fff; font-weight: bold;
}
.reveal .td-layers-badge.td-layers-config {
  border: 1px dashed rgba(128, 128, 128, 0.85); opacity: 0.75; font-size: 0.8em;
}
.reveal .td-layers-badge.td-layers-base { border: 1px solid rgba(128, 128, 128, 0.85); font-size: 0.8em; }
.reveal .td-layers-badge.td-layers-skipped {
  border: 1px dotted rgba(128, 128, 128, 0.85); opacity: 0.75; font-size: 0.8em;
}
.reveal .td-layers-row.td-layers-unbuilt .td-layers-text { opacity: 0.45; }
.reveal .td-layers-why { margin: 0.5em 0 0 2.45em; font-size: 0.9em; }
.reveal .td-layers-why code { font-size: 0.95em; }
"""

DENSE_ROWS = 12  # more rows than this get a smaller type, so that up to about 18 still fit a 720px slide
FITTING_ROWS = 18  # more rows than this get a type smaller still, so that they fit too:
ROW_PX, BORDER_PX = 30, 4  # (a dense row is about 30 px high, of which its 4 px of borders do not shrink)
BADGES: dict[str, str] = {
    "run": "runs",
    "cached": "cached",
    "rebuilt": "rebuilt",
    "miss": "invalidated",
    "config": "config",
    "base": "base",
    "skipped": "not built",
}


def render_html(explanation: Explanation, fragment_start: int = 1) -> str:
    """A stack of the Dockerfile's layers with three fragment steps: first build, unchanged, rebuild (two when
    nothing changed, which the rebuild would only repeat).

    Each step is a column that appears as a reveal.js fragment and stays, so the three builds can be compared
    and each step prints as its own PDF page. The reason for the first miss appears with the third column.
    """
    columns = [
        ("first build", explanation.as_first_build()),
        ("rebuild, nothing changed", explanation.as_unchanged()),
        (rebuild_title(explanation), explanation),
    ]
    if not (explanation.changed or explanation.ignored or explanation.build_args):
        columns.pop()  # the rebuild would repeat the column before it
    indices = range(fragment_start, fragment_start + len(columns))
    head = _head_row([(title, index) for (title, _), index in zip(columns, indices, strict=True)])
    rows = [
        _step_row(
            step, [(column.steps[n], index) for (_, column), index in zip(columns, indices, strict=True)]
        )
        for n, step in enumerate(explanation.steps)
    ]
    why = _why(explanation, indices[-1])
    name = html.escape(explanation.dockerfile.name)
    dense = " td-layers-dense" if len(rows) > DENSE_ROWS else ""
    size = ""
    if len(rows) > FITTING_ROWS:
        # (no smaller than 0.12em: a Dockerfile longer than about 45 instructions overflows, as check says)
        scale = max((ROW_PX * FITTING_ROWS / len(rows) - BORDER_PX) / (ROW_PX - BORDER_PX), 0.12 / 0.33)
        size = f' style="font-size: {0.33 * scale:.3f}em"'
    two = " td-layers-two" if len(columns) == 2 else ""
    opening = f'<div class="td-layers{dense}{two}"{size} data-dockerfile="{name}">'
    return f"{opening}\n{head}\n" + "\n".join(rows) + f"\n{why}\n</div>"


def rebuild_title(explanation: Explanation) -> str:
    """The third column's heading: what changed before the rebuild."""
    changes = list(explanation.changed + explanation.ignored)
    changes += [f"--build-arg {name}={value}" for name, value in explanation.build_args]
    if not changes:
        return "rebuild, nothing changed"
    if len(changes) > 2:
        changes = [*changes[:1], f"{len(changes) - 1} more"]
    return f"rebuild after {' and '.join(changes)} changed"


def _fragment(index: int) -> str:
    return f'class="td-layers-state fragment" data-fragment-index="{index}"'


def _head_row(columns: Sequence[tuple[str, int]]) -> str:
    cells = "".join(f"<span {_fragment(index)}>{html.escape(title)}</span>" for title, index in columns)
    return (
        '<div class="td-layers-row td-layers-head"><span class="td-layers-line">line</span>'
        f'<span class="td-layers-text">Dockerfile</span>{cells}</div>'
    )


def _step_row(step: Step, states: Sequence[tuple[Step, int]]) -> str:
    text = html.escape(step.text)
    cells = "".join(f"<span {_fragment(index)}>{_badge(state)}</span>" for state, index in states)
    unbuilt = " td-layers-unbuilt" if step.skipped else ""
    return (
        f'<div class="td-layers-row td-layers-{step.kind}{unbuilt}" data-line="{step.line}">'
        f'<span class="td-layers-line">{step.line}</span>'
        f'<span class="td-layers-text" title="{text}">{text}</span>{cells}</div>'
    )


def _badge(step: Step) -> str:
    kind = "miss" if step.reason else step.state
    title = f' title="{html.escape(step.reason)}"' if step.reason else ""
    return f'<span class="td-layers-badge td-layers-{kind}"{title}>{BADGES[kind]}</span>'


def _why(explanation: Explanation, index: int) -> str:
    notes = _ignored_lines(explanation) + _skipped_lines(explanation) + _remote_lines(explanation)
    sentences = [html.escape(line) for line in notes]
    sentences += [_why_sentence(miss) for miss in explanation.misses] or [
        html.escape(_nothing_missed(explanation))
    ]
    return (
        f'<p class="td-layers-why fragment" data-fragment-index="{index}">' + "<br>".join(sentences) + "</p>"
    )


def _why_sentence(miss: Step) -> str:
    return (
        f"Line {miss.line}: <code>{html.escape(miss.text)}</code> misses the cache: "
        f"{html.escape(miss.reason)}; every later step of its stage is rebuilt."
    )
