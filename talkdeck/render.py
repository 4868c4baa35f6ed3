"""Render one section's slides from Markdown to HTML, resolving panes, images and reveal.js conventions.

Fenced code, code panes and layer explainers are turned into HTML by us and stashed in Python-Markdown's
raw-HTML stash, so Markdown never touches them and reveal.js's ``[1-2|4]`` step notation works.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from html import escape, unescape
from pathlib import Path

import markdown
from markdown.blockprocessors import HashHeaderProcessor
from markdown.inlinepatterns import InlineProcessor, SimpleTagInlineProcessor, SubstituteTagInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString, Registry

from talkdeck.errors import DeckError, Problems
from talkdeck.model import CodePane, Section, Slide
from talkdeck.panes import PaneResolver, check_steps
from talkdeck.paths import (
    ESCAPED,
    SCHEME,
    SHEET_READERS,
    background_list,
    css_urls,
    deck_file,
    decoded,
    file_path,
    inside_deck,
    is_remote,
    loaded_files,
    sheet_files,
    srcset_candidates,
)
from talkdeck.patterns import LazyPattern
from talkdeck.source import CODE_SPAN, FENCE, SectionSource, fence_spans, uncommented, without_code_spans

SLIDE_ATTRS = LazyPattern(r"<!--\s*\.slide:\s*(.*?)\s*-->")
# An element comment on its own; `-last-item` marks one right under a list, which reveal.js gives to the
# list's last item.
ELEMENT_BLOCK = LazyPattern(r"^[ \t]*<!--[ \t]*\.element(-last-item)?:[ \t]*([^\n]*?)[ \t]*-->\s*$")
# reveal.js reads an element comment's attributes so: name="value" (double quotes only), or a bare data-name
ATTR_COMMENT_START = LazyPattern(r"<!--[ \t]*\.(element|slide)\b")
ELEMENT_COMMENT = LazyPattern(r"<!--[ \t]*\.element(?:-last-item)?:[ \t]*(.*?)[ \t]*-->")
ELEMENT_ATTR = LazyPattern(r'([^"= ]+?)="([^"]+?)"|(data-[^"= ]+?)(?=[" ]|$)')
LAST_ITEM = "-last-item"
START_TAG = LazyPattern(r"""<([a-zA-Z][\w-]*)((?:[^<>"']|"[^"]*"|'[^']*')*?)(/?)>""")
ATTR_LIST_ITEM = LazyPattern(r"""\.([\w-]+)|#([\w-]+)|([\w:.-]+)=("[^"]*"|'[^']*'|[^\s}]+)""")
ATTR = LazyPattern(r"""([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
# the path may hold balanced parentheses, as Markdown allows: img/chart(1).png
IMAGE = LazyPattern(r"!\[([^\]]*)\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
TAG_OPENING = LazyPattern(r"<[a-zA-Z][\w-]*(?:\s|$)")  # a tag going on on the next line: `<img`, `<h3 style=`
ANY_TAG = LazyPattern(r"""<([a-zA-Z][\w-]*)\b((?:[^<>"']|"[^"]*"|'[^']*')*)>""")  # any start tag, for its style
# reveal.js takes data-background as an image when it is a URL or names an image file, else as a colour
BACKGROUND_IMAGE = LazyPattern(r"^(?:https?:|file:|//)|\.(?:svg|png|jpe?g|gif|bmp|webp)(?:[?#\s]|$)", re.IGNORECASE)
# Raw HTML elements that load a file, and the attributes that name it (reveal.js lazy-loads from data-src).
HTML_MEDIA = LazyPattern(
    r"""<(img|video|audio|source|track|iframe|embed|object|script|link|image)\b((?:[^<>"']|"[^"]*"|'[^']*')*)>""",
    re.IGNORECASE,
)
MEDIA_ATTRS = frozenset(["src", "data-src", "poster", "data", "srcset"])
MEDIA_NOUN = {"img": "image", "video": "video", "audio": "audio", "script": "script", "image": "image"}
# a stylesheet (or icon) a <link> loads, and an SVG <image>'s picture, are named by their href
HREF_ATTRS = {"link": frozenset(["href"]), "image": frozenset(["href", "xlink:href"])}
LIST_ITEM_ATTRS = LazyPattern(r"^(\s*(?:[-*+]|\d+[.)])\s+.*?\S)\s+(\{[:.#][^}]*\})\s*$")
INFO = LazyPattern(r"^\s*(?P<lang>[\w+#.-]+)?\s*(?:\[(?P<steps>[^\]]*)\])?\s*(?P<attrs>\{.*\})?\s*$")
INCREMENTAL = "{.incremental}"
STEPS_OFFSET = LazyPattern(r"^(\d*)\s*:(.*)$")
# a list item's start: its marker (a bullet or `1.`) and the spaces after it
LIST_MARKER = LazyPattern(r"^( *)([-*+]|(\d{1,9})([.)]))( +|$)")
RULE = LazyPattern(r"^ {0,3}([-*_])(?: *\1){2,} *$")  # `* * *`: a horizontal rule, not an item
QUOTE_LINE = LazyPattern(r"^( {0,3})> ?(.*)$")
HEADING_START = LazyPattern(r"^ {0,3}#{1,6}(?:[ \t]|$)")
TABLE_RULE = LazyPattern(r"^ {0,3}\|?(?: *:?-+:? *\|)+ *(?::?-+:? *)?$|^ {0,3}:?-+:? *\| *(?::?-+:? *\|? *)*$")
# A line that starts an HTML block which, in CommonMark, ends at the next blank line (its kind 6).
# A line that is one whole HTML tag, opening or closing (not script, style, pre or textarea), which starts an
# HTML block after a blank line (CommonMark's kind 7): `<img src="img/a.png" width="400">`, `<span class="x">`.
HTML_TAG_LINE = LazyPattern(
    r"""^ {0,3}(?:<(?!(?:script|style|pre|textarea)\b)[a-zA-Z][\w-]*(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|"""
    r"""[^\s"'=<>`]+))?)*\s*/?>|</[a-zA-Z][\w-]*\s*>)\s*$"""
)
ELEMENT_OR_TAG = LazyPattern(r"^<(?:[a-zA-Z]|!--)")
RAW_BLOCK_START = LazyPattern(r"^ {0,3}<(pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
RAW_MARK = "<!--talkdeck-raw-->"  # leads HTML that Python-Markdown would put in a paragraph; taken out after
HTML_BLOCK_START = LazyPattern(
    r"^ {0,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    r"dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|"
    r"iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|"
    r"table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[\s/>]|$)",
    re.IGNORECASE,
)
# an element that Python-Markdown keeps out of paragraphs, though CommonMark starts no HTML block with it
OWN_BLOCK_LINE = LazyPattern(r"^ {0,3}<(?:canvas|hgroup|map|math|noscript|object|output|progress|video)\b",
                             re.IGNORECASE)
LONE_ATTRS = LazyPattern(r"^\{:?\s*[.#][^{}]*\}$")  # an attribute list alone on its line: `{.fragment}`
# a paragraph's last line that ends with an attribute list: `Text {.fragment}`
TRAILING_ATTRS = LazyPattern(r"^(\s*[^\s#|].*?\S)\s+(\{:?\s*[.#][^{}]*\})\s*$")
INCREMENTAL_TOKEN = "talkdeck-incremental-list"
LIST_BREAK = "<!--talkdeck-list-break-->"  # ends a list before another of a kind; taken out after
EMPTY_ITEM = "talkdeck-empty-item"  # the text of an empty list item (`-` alone), which Python-Markdown skips
DECK_VALUE = LazyPattern(r"\{\{\s*deck\.(\w+)\s*\}\}")
SPLIT_MARKER = "talkdeck-split-"
VALUE_TOKEN = "talkdeckvalue"
BLOCK_TOKEN = "talkdeck-block-"
GAP = "\x00"  # the blank line around a stashed block: kept, or dropped where it would loosen a list


class _IncrementalLists(Treeprocessor):
    """Turns the items of a list that follows an `{.incremental}` line into fragments."""

    def run(self, root: etree.Element) -> None:
        if not any((p.text or "").strip() == INCREMENTAL_TOKEN for p in root.iter("p")):
            return  # the common case, found without visiting every element's children
        for parent in root.iter():
            children = list(parent)
            for index, child in enumerate(children):
                if child.tag == "p" and (child.text or "").strip() == INCREMENTAL_TOKEN:
                    parent.remove(child)
                    following = children[index + 1] if index + 1 < len(children) else None
                    if following is not None and following.tag in ("ul", "ol"):
                        for item in following.findall("li"):
                            classes = item.get("class", "").split()
                            if "fragment" not in classes:
                                item.set("class", " ".join([*classes, "fragment"]))


# Python-Markdown's own inline patterns, each with what a text must contain for it to match: code spans,
# escapes, links and images, autolinks and raw HTML, entities, and two spaces ending a line (a line break).
# The emphasis pattern needs one of its delimiters, which are read from the Markdown instance.
PATTERN_NEEDS = {
    "backtick": "`", "escape": "\\", "reference": "[", "link": "[", "image_link": "![", "image_reference": "![",
    "short_reference": "[", "short_image_ref": "![", "autolink": "<", "automail": "<", "html": "<",
    "entity": "&", "linebreak": "  \n", "talkdeck_break": "\\\n",
    "talkdeck_strike": "~", "talkdeck_url": ("://", "www.", "@"),
}
BUILTIN_INLINE = frozenset([*PATTERN_NEEDS, "em_strong"])
# each pattern's needles as a tuple: a pattern may match after any one of them
NEEDLES = {name: (needs,) if isinstance(needs, str) else needs for name, needs in PATTERN_NEEDS.items()}
PLACEHOLDER_ENDS = ("\x02", "\x03")  # around Python-Markdown's placeholders: such text is left to it


class _PlainText(Treeprocessor):
    """Spares Python-Markdown's inline processor the work that cannot change anything.

    That processor tries each of its fourteen patterns on every text and tail in turn, the largest part of a
    Markdown conversion. Here, before it runs:

    - text in which no pattern can match (headings, plain list items, the split markers, most notes) is
      marked atomic, so the processor skips it;
    - the processor is given only the patterns that can match somewhere in the rest (no `<` in a section's
      text: no autolinks or raw HTML to look for). Every text it will see is that text or a part of it.

    Should an extension add a pattern we do not know, the processor gets everything, as it would without us.
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self._subsets: dict[tuple[tuple[str, int], ...], Registry] = {}

    def run(self, root: etree.Element) -> None:
        patterns = self.md.inlinePatterns
        processor = self.md.treeprocessors["inline"]
        processor.inlinePatterns = patterns
        if sum(name in patterns for name in BUILTIN_INLINE) != len(patterns):
            return  # a pattern we do not know
        delimiters = getattr(self.md, "delimiters", None)
        tokens = delimiters.tokens if delimiters else ["*", "_"]
        needles = sorted({*(needle for needs in NEEDLES.values() for needle in needs), *tokens, *PLACEHOLDER_ENDS})
        inline = re.compile("|".join(map(re.escape, needles))).search
        rest: list[str] = []
        for element in root.iter():
            text, tail = element.text, element.tail
            if text and type(text) is str:
                if inline(text) is None:
                    element.text = AtomicString(text)
                else:
                    rest.append(text)
            if tail and type(tail) is str:
                if inline(tail) is None:
                    element.tail = AtomicString(tail)
                else:
                    rest.append(tail)
        everything = "\0".join(rest)
        present = {name for name, needs in NEEDLES.items()
                   if name in patterns and any(needle in everything for needle in needs)}
        if any(token in everything for token in tokens):
            present.add("em_strong")
        if len(present) < len(patterns):
            processor.inlinePatterns = self._subset(patterns, present)

    def _subset(self, patterns: Registry, present: set[str]) -> Registry:
        """The registered patterns named in `present`, in their order (made once for each such set)."""
        names = sorted(present, key=patterns.get_index_for_name)
        key = tuple((name, id(patterns[name])) for name in names)
        subset = self._subsets.get(key)
        if subset is None:
            subset = self._subsets[key] = Registry()
            for rank, name in enumerate(names):
                subset.register(patterns[name], name, len(names) - rank)
        return subset


STRIKE = r"(~{1,2})(?![~\s])(.+?)(?<![~\s])\1(?!~)"  # `~~a~~` or `~a~`, not `~3x and ~2x`
ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
TASK = LazyPattern(r"^\[([ xX])\][ \t]+")


# A web address or an email address in the text, which GitHub's Markdown (and so reveal.js) makes a link:
# https://x.org/a, www.x.org, me@x.org. What may end it (`.` `,` `)` ...) is trimmed in BareLinks.
BARE_LINK = (
    r"(?<![a-zA-Z0-9/@.:+-])(?:(?:https?://|www\.)[\w-]+(?:\.[\w-]+)*(?::\d+)?(?:[/?#][^\s<\x02\x03]*)?"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.\w+)"
)


STASHED = LazyPattern(r"\x02wzxhzdk:(\d+)\x03")
INLINE_STASHED = LazyPattern(r"\x02klzzwxh:(\d+)\x03")
RAW_LINK_OPEN = LazyPattern(r"<a[\s>]", re.IGNORECASE)
RAW_LINK_CLOSE = LazyPattern(r"</a\s*>", re.IGNORECASE)


class _BareLinks(InlineProcessor):
    """Links a bare address as GitHub's Markdown does: without what ends a sentence after it, `.` `,` `?`
    `!` `:` `*` `_` `~` and a `)` it does not open."""

    ANCESTOR_EXCLUDES = ("a",)  # not in a link's text

    def handleMatch(self, m: re.Match[str], data: str):  # noqa: N802 - Python-Markdown's API
        if "\x02" in data[:m.start(0)] and self._in_raw_link(data[:m.start(0)]):
            return None, None, None
        text = m.group(0)
        while text:
            if text[-1] in "?!.,:*_~'\"":
                text = text[:-1]
            elif text[-1] == ")" and text.count(")") > text.count("("):
                text = text[:-1]
            else:
                break
        if "@" in text and "://" not in text:
            href = "mailto:" + text
        else:
            href = text if "://" in text else "http://" + text
        if "." not in text.rpartition("@")[2] and "://" not in text:
            return None, None, None
        link = etree.Element("a", {"href": href})
        link.text = AtomicString(text)
        return link, m.start(0), m.start(0) + len(text)

    def _in_raw_link(self, before: str) -> bool:
        """Whether `before` leaves a raw `<a ...>` open. Its tags are placeholders by now: for the inline
        processor's stashed nodes, which stand for the raw-HTML stash's."""
        nodes = getattr(self.md.treeprocessors["inline"], "stashed_nodes", {})
        depth = 0
        for key in INLINE_STASHED.findall(before):
            node = nodes.get(key)
            stashed = STASHED.fullmatch(node) if isinstance(node, str) else None
            raw = self.md.htmlStash.rawHtmlBlocks[int(stashed.group(1))] if stashed else None
            if isinstance(raw, str):
                depth += bool(RAW_LINK_OPEN.match(raw)) - bool(RAW_LINK_CLOSE.match(raw))
        return depth > 0


class _TaskItems(Treeprocessor):
    """`- [ ] to do` and `- [x] done`: a list item that starts with a box gets a checkbox, as in reveal.js.
    And in a table's code, `\\|` is a pipe, as in GitHub's tables (it keeps the pipe from ending the cell)."""

    def run(self, root: etree.Element) -> None:
        for cell in (*root.iter("th"), *root.iter("td")):
            for code in cell.iter("code"):
                if code.text and "\\|" in code.text:
                    code.text = AtomicString(code.text.replace("\\|", "|"))
        for item in root.iter("li"):
            holder = item[0] if len(item) and item[0].tag == "p" and not (item.text or "").strip() else item
            box = TASK.match(holder.text or "")
            if box and (holder.text[box.end():].strip() or len(holder)):  # a box with nothing after is text
                checkbox = etree.Element("input", {"type": "checkbox", "disabled": ""})
                if box.group(1) != " ":
                    checkbox.set("checked", "")
                checkbox.tail = " " + holder.text[box.end():]
                holder.text = ""
                holder.insert(0, checkbox)


class _ListItems(Treeprocessor):
    """Two fixes to lists, made once attribute lists are read:

    - A list whose items are only partly in paragraphs has them all in paragraphs. Python-Markdown puts an
      item in a paragraph when a blank line comes before it (`- a`, `- b`, a blank line, `- c`: only `b` and
      `c`), so the items were spaced unevenly; CommonMark, and so reveal.js, calls such a list loose and puts
      every item in a paragraph.
    - An attribute list that ends the first line of an item in a paragraph (`- a {.fragment}` in a loose
      list) goes to the item, as it does in a tight list. On the paragraph, the item's bullet showed before
      its text appeared.
    """

    def run(self, root: etree.Element) -> None:
        for items in (*root.iter("ul"), *root.iter("ol")):
            for item in items:
                holder = item[0] if _in_paragraph(item) else item
                if (holder.text or "").lstrip().startswith(EMPTY_ITEM):  # `-` alone, or `-` then its text
                    holder.text = holder.text.lstrip()[len(EMPTY_ITEM):].lstrip()
                    if holder is not item and not holder.text and not len(holder):
                        item.remove(holder)
            wrapped = [_in_paragraph(item) for item in items if item.tag == "li"]
            if any(wrapped) and not all(wrapped):
                for item in items:
                    if item.tag == "li" and not _in_paragraph(item) and ((item.text or "").strip() or len(item)):
                        self._wrap(item)
            for item in items:
                if item.tag == "li" and _in_paragraph(item) and item[0].attrib:
                    _move_attributes(item[0], item)

    def _wrap(self, item: etree.Element) -> None:
        """Put the item's text, and the inline elements that go with it, in a paragraph of its own."""
        paragraph = etree.Element("p")
        paragraph.text, item.text = item.text, "\n"
        for child in list(item):
            if self.md.is_block_level(child.tag):
                break
            item.remove(child)
            paragraph.append(child)
        if not (paragraph.text or "").strip() and not len(paragraph):  # the item holds only blocks
            item.text = paragraph.text
            return
        paragraph.tail = "\n"
        if len(paragraph) and paragraph[-1].tail:
            paragraph[-1].tail = paragraph[-1].tail.rstrip("\n")
        elif paragraph.text:
            paragraph.text = paragraph.text.rstrip("\n")
        item.insert(0, paragraph)


def _in_paragraph(item: etree.Element) -> bool:
    """Whether the list item's text is in a paragraph (`<li><p>text</p>...`)."""
    return len(item) > 0 and item[0].tag == "p" and not (item.text or "").strip()


def _move_attributes(source: etree.Element, target: etree.Element) -> None:
    classes = [*target.get("class", "").split(), *source.get("class", "").split()]
    for name, value in source.attrib.items():
        target.set(name, value)
    if classes:
        target.set("class", " ".join(dict.fromkeys(classes)))
    source.attrib.clear()


VOID_TAGS = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"])
HTML_TOKEN = LazyPattern(r"""<!--.*?-->|<(/?)([a-zA-Z][\w-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>""", re.DOTALL)


def element_comments(html: str) -> str:
    """`html` with reveal.js's element comments, `<!-- .element: class="fragment" -->`, applied as its
    Markdown plugin applies them in the page: to the element before the comment among its siblings (a line
    break aside), else to the element it is in; one marked as right under a list, to the list's last item.
    A paragraph of the comment alone (indented into a list item) stands for the comment. The comments go.
    """
    if ".element" not in html:
        return html
    tokens = list(HTML_TOKEN.finditer(html))
    tags: dict[int, str] = {}
    before: dict[int, int | None] = {}  # an element's start -> the element before it among its siblings
    last_child: dict[int, int] = {}
    stack: list[list[int | None]] = [[None, None]]  # each open element's start, and its last child so far
    edits: dict[int, list[str]] = {}  # an element's start -> the attribute texts it gets
    dropped: set[int] = set()
    for index, token in enumerate(tokens):
        if token.group(0).startswith("<!--"):
            comment = ELEMENT_BLOCK.match(token.group(0))
            if comment:
                parent, previous = stack[-1]
                target = previous if previous is not None else parent
                if previous is None and parent == index - 1 and tags[parent] == "p" and _alone(html, tokens, index):
                    target = before[parent]  # the paragraph stands for the comment: it goes, with it
                    dropped.update({parent, index + 1})
                if target is not None and comment.group(1) and tags[target] in ("ul", "ol"):
                    target = last_child.get(target, target)
                if target is not None:
                    edits.setdefault(target, []).append(comment.group(2))
                    dropped.add(index)
            continue
        name = token.group(2).lower()
        if token.group(1):  # an end tag: close up to its element
            for depth in range(len(stack) - 1, 0, -1):
                if tags[stack[depth][0]] == name:
                    for start, last in stack[depth:]:
                        if last is not None:
                            last_child[start] = last
                    del stack[depth:]
                    break
            continue
        tags[index], before[index] = name, stack[-1][1]
        if name != "br":
            stack[-1][1] = index
        if name not in VOID_TAGS and not token.group(3).rstrip().endswith("/"):
            stack.append([index, None])
    if not dropped:
        return html
    out, end = [], 0
    for index, token in enumerate(tokens):
        if index not in dropped and index not in edits:
            continue
        out.append(html[end:token.start()])
        end = token.end()
        if index in dropped:  # the spaces before it go with it, and the lines around it if it stood alone
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            rest = html[end:following.start() if following else len(html)]
            if not rest.strip():
                out[-1] = out[-1].rstrip()
                if following is None or following.group(1) or index + 1 in dropped:
                    end += len(rest)
            elif rest[:1].isspace():
                out[-1] = out[-1].rstrip(" \t")
            continue
        tag = token.group(0)
        for text in edits[index]:
            tag = _with_attributes(tag, {a.group(1) or a.group(3): unescape(a.group(2) or "")
                                         for a in ELEMENT_ATTR.finditer(text)})
        out.append(tag)
    out.append(html[end:])
    return "".join(out)


def fragments_in_written_order(html: str) -> str:
    """A slide's `html` whose layer explainers (their columns are numbered fragments) and other fragments
    appear in the order they are written: reveal.js shows every numbered fragment before any unnumbered one,
    so the unnumbered ones get numbers too, and a code block with steps numbers its steps from its own.

    A slide with numbers of the speaker's own (`data-fragment-index`) is left as it is."""
    if "td-layers" not in html:
        return html
    numbers: list[tuple[re.Match[str], object, int]] = []  # a tag, what it numbers, how many numbers it takes
    explainers = 0
    for tag in START_TAG.finditer(html):
        text = tag.group(2)
        if "fragment" not in text and "data-line-numbers" not in text and "data-dockerfile" not in text:
            continue
        attrs = {a.group(1).lower(): unescape(_attr_value(a)) for a in ATTR.finditer(text)}
        classes = attrs.get("class", "").split()
        if "data-dockerfile" in attrs and "td-layers" in classes:
            explainers += 1
            if "fragment" in classes:  # `{.fragment}` under it: the explainer appears, then its columns
                numbers.append((tag, tag.start(), 1))
        elif "td-layers-state" in classes or "td-layers-why" in classes:
            numbers.append((tag, (explainers, attrs.get("data-fragment-index")), 1))
        elif "data-fragment-index" in attrs:
            return html  # the speaker's own order
        elif "fragment" in classes:
            numbers.append((tag, tag.start(), 1))
        elif steps := attrs.get("data-line-numbers", "").count("|"):  # its steps after the first: fragments
            numbers.append((tag, tag.start(), steps))
    if all(isinstance(key, tuple) for _, key, _ in numbers):
        return html  # only explainers: their own numbers hold
    given: dict[object, int] = {}
    out, end, following = [], 0, 0
    for tag, key, count in numbers:
        if key not in given:
            given[key], following = following, following + count
        out += [html[end:tag.start()], _with_attributes(tag.group(0), {"data-fragment-index": str(given[key])})]
        end = tag.end()
    return "".join(out) + html[end:]


# Raw HTML on a slide that could reach past it in the page: an end tag of what the page around the slide is
# made of, or an element that would take in what follows it if left open.
REACHING = ("</div", "</section", "</body", "</html", "<section", "<script", "<style", "<textarea", "<title")


def self_contained(html: str) -> str:
    """A slide's `html` as the slide's own: without the end tags that close nothing opened on it, and with
    the elements it leaves open closed at its end. In the page, a stray `</div>` would close the deck's own
    elements, and an open `<section>` or `<script>` would take in the slides after it; either way they would
    fall out of the deck. reveal.js's Markdown plugin, which sets each slide's HTML on its own, never sees
    them either."""
    if not any(tag in html for tag in REACHING):
        return html
    open_tags: list[str] = []
    stray: list[re.Match[str]] = []
    raw_text = ""  # inside <script>, <style>, <textarea> or <title>: text up to its end tag
    for token in HTML_TOKEN.finditer(html):
        closing, name = token.group(1), (token.group(2) or "").lower()
        if raw_text:
            if closing and name == raw_text:
                raw_text = ""
                open_tags.pop()
            continue
        if not name:  # a comment
            continue
        if not closing:
            if name not in VOID_TAGS and not token.group(3).rstrip().endswith("/"):
                open_tags.append(name)
                raw_text = name if name in ("script", "style", "textarea", "title") else ""
        elif name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
        else:
            stray.append(token)
    for token in reversed(stray):
        html = html[:token.start()] + html[token.end():]
    return html + "".join(f"</{name}>" for name in reversed(open_tags))


def _alone(html: str, tokens: list[re.Match[str]], index: int) -> bool:
    """Whether the comment `tokens[index]`, right after a `<p>`, is all there is in that paragraph."""
    closing = tokens[index + 1] if index + 1 < len(tokens) else None
    return (closing is not None and closing.group(0).lower() == "</p>"
            and not html[tokens[index - 1].end():tokens[index].start()].strip()
            and not html[tokens[index].end():closing.start()].strip())


def _without_steps(html: str) -> str:
    """Speaker notes with nothing in them that steps: reveal.js counts a fragment in the notes, a code step or an
    explainer's column, as a step of the slide, which the audience would wait through seeing nothing happen.
    What they hold shows at once, code with its first step's lines highlighted."""
    if "fragment" not in html and "|" not in html:
        return html
    out, end = [], 0
    for tag in START_TAG.finditer(html):
        text = tag.group(2)
        if "fragment" not in text and "data-line-numbers" not in text:
            continue
        kept = []
        for attr in ATTR.finditer(text):
            name = attr.group(1).lower()
            if name == "class" and "fragment" in attr.group(0):
                classes = [c for c in unescape(_attr_value(attr)).split() if c != "fragment"]
                kept.append(f'class="{escape(" ".join(classes))}"' if classes else "")
            elif name == "data-fragment-index":
                kept.append("")
            elif name == "data-line-numbers" and "|" in attr.group(0):
                kept.append(f'data-line-numbers="{escape(unescape(_attr_value(attr)).split("|")[0])}"')
            else:
                kept.append(attr.group(0))
        out += [html[end:tag.start(2)], "".join(f" {a}" for a in kept if a)]
        end = tag.end(2)
    out.append(html[end:])
    return "".join(out)


def _with_attributes(html: str, attrs: dict[str, str]) -> str:
    """`html` with `attrs` set on its first tag, in place of those it has (a class joins the classes it has)."""
    tag = START_TAG.search(html)
    if not tag:
        return html
    existing, added = tag.group(2), ""
    for name, value in attrs.items():
        current = next((a for a in ATTR.finditer(existing) if a.group(1).lower() == name.lower()), None)
        if current is None:
            added += f' {name}="{escape(value)}"'
            continue
        if name.lower() == "class":
            value = f"{unescape(_attr_value(current))} {value}"
        existing = f'{existing[:current.start()]}{name}="{escape(value)}"{existing[current.end():]}'
    return html[:tag.start(2)] + existing.rstrip() + added + html[tag.end(2):]


def _attr_list_html(text: str) -> str:
    """An attribute list, `{: .fragment .fade-up #id data-x=1}`, written as HTML attributes."""
    classes, attrs = [], []
    for item in ATTR_LIST_ITEM.finditer(text):
        cls, ident, name, value = item.groups()
        if cls:
            classes.append(cls)
        elif ident:
            attrs.append(f'id="{escape(ident)}"')
        else:
            attrs.append(f'{name}="{escape(value.strip(chr(34) + chr(39)))}"')
    if classes:
        attrs.insert(0, f'class="{" ".join(classes)}"')
    return " ".join(attrs)


class _ImageSources(Treeprocessor):
    """Collects the source of every image Markdown made, reference-style ones (`![a][ref]`) included, as
    ("image", source), and the target of every link, as ("link", target)."""

    def __init__(self, md: markdown.Markdown, found: list[tuple[str, str]]):
        super().__init__(md)
        self.found = found

    def run(self, root: etree.Element) -> None:
        images = list(root.iter("img"))
        self.found += [("image", src) for image in images if (src := image.get("src"))]
        self.found += [("link", href) for link in root.iter("a") if (href := link.get("href"))]
        if images:  # an image alone in its paragraph is centred (talkdeck.css), as reveal.js centres it
            for paragraph in root.findall("p"):  # the slide's own, not one in a list item or a quote
                if len(paragraph) == 1 and paragraph[0].tag == "img" and not (paragraph.text or "").strip() \
                        and not (paragraph[0].tail or "").strip():
                    paragraph.set("class", " ".join([*paragraph.get("class", "").split(), "td-image"]))


class _StashBlocks(Preprocessor):
    """Swaps our token lines for Python-Markdown stash placeholders.

    It runs after `normalize_whitespace` (30), which strips the placeholders' control characters, and before
    `fenced_code` (25).
    """

    def __init__(self, md: markdown.Markdown, pending: dict[str, str]):
        super().__init__(md)
        self.pending = pending

    def run(self, lines: list[str]) -> list[str]:
        if not self.pending:
            return lines
        out = [
            line[:len(line) - len(line.lstrip())] + self.md.htmlStash.store(self.pending[line.lstrip()])
            if line.lstrip() in self.pending else line
            for line in lines
        ]
        self.pending.clear()
        return out


class _HashHeading(HashHeaderProcessor):
    """A `#` heading as in reveal.js's Markdown (CommonMark): a space after the hashes (`#1 priority` is
    text), up to three spaces before them, and closing hashes only after a space.

    Python-Markdown takes `#python` for a heading and drops any hashes that end the line: `# Why C#` became
    "Why C".
    """

    RE = LazyPattern(
        r"(?:^|\n) {0,3}(?P<level>#{1,6})(?=[ \t]|\n|$)(?P<header>(?:\\.|[^\\\n])*?)(?:[ \t]+#+)?[ \t]*(?:\n|$)"
    )


class _Extension(markdown.Extension):
    def __init__(self, pending: dict[str, str], images: list[str]):
        super().__init__()
        self.pending = pending
        self.images = images

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.preprocessors.register(_StashBlocks(md, self.pending), "talkdeck_stash", 28)
        md.parser.blockprocessors.register(_HashHeading(md.parser), "hashheader", 70)  # replaces it
        # GitHub's Markdown, as reveal.js reads it: any ASCII punctuation escaped, and task list items (line
        # breaks, struck text and bare addresses come with the first text that has them: add_extensions_for)
        md.ESCAPED_CHARS = sorted(set(md.ESCAPED_CHARS) | set(ASCII_PUNCTUATION))
        md.treeprocessors.register(_TaskItems(md), "talkdeck_tasks", 14)  # after inline (20)
        md.treeprocessors.register(_ListItems(md), "talkdeck_list_items", 6)  # after attribute lists (8)
        md.treeprocessors.register(_IncrementalLists(md), "talkdeck_incremental", 5)
        # after Python-Markdown's unescape (0), which restores a source's escaped characters
        md.treeprocessors.register(_ImageSources(md, self.images), "talkdeck_images", -1)
        md.treeprocessors.register(_PlainText(md), "talkdeck_plain", 25)  # before "inline" (20)


def make_markdown(pending: dict[str, str], images: list[str] | None = None) -> markdown.Markdown:
    # Extension instances, not names: naming them makes Python-Markdown scan every installed package's
    # entry points, which costs more than the rest of a small build. Attribute lists and tables come later,
    # with the first Markdown that could use them (see add_extensions_for).
    from markdown.extensions.sane_lists import SaneListExtension

    extension = _Extension(pending, [] if images is None else images)
    return markdown.Markdown(extensions=[SaneListExtension(), extension], output_format="html")


def add_extensions_for(md: markdown.Markdown, text: str) -> None:
    """Register the extensions that only act on a line with their character, once `text` has one.

    Python-Markdown's attribute lists (`{: .class #id key=value }`, `{.fragment}` among them) compile a
    regular expression over much of Unicode on import, about 4 ms, and its table processor tests every
    block; a deck that uses neither pays for neither.
    """
    if "{" in text and "attr_list" not in md.treeprocessors:
        from markdown.extensions.attr_list import AttrListExtension

        md.registerExtensions([AttrListExtension()], {})
    if "|" in text and "table" not in md.parser.blockprocessors:
        from markdown.extensions.tables import TableExtension

        md.registerExtensions([TableExtension()], {})
        # a table of only a header has no body row, as in GitHub's tables (Python-Markdown adds an empty one)
        md.parser.blockprocessors["table"]._build_empty_row = lambda _body, _align: None
    # GitHub's Markdown: a backslash ending a line breaks it (before escapes, 180), ~~struck~~ or ~struck~
    # text, and bare addresses as links (after links and raw HTML). Each compiles its pattern.
    patterns = md.inlinePatterns
    if "\\\n" in text and "talkdeck_break" not in patterns:
        patterns.register(SubstituteTagInlineProcessor(r"\\\n", "br"), "talkdeck_break", 185)
    if "~" in text and "talkdeck_strike" not in patterns:
        patterns.register(SimpleTagInlineProcessor(STRIKE, "del"), "talkdeck_strike", 65)
    if ("://" in text or "www." in text or "@" in text) and "talkdeck_url" not in patterns:
        patterns.register(_BareLinks(BARE_LINK, md), "talkdeck_url", 85)


class SectionRenderer:
    """Turns a parsed section into slides. One instance serves a whole build (Markdown and panes are reused)."""

    def __init__(self, root: Path, layers_renderer=None):
        self.root = root
        self.pending: dict[str, str] = {}
        self.images: list[str] = []  # every image source in the HTML of the section being rendered
        self.checked: set[str] = set()  # the image sources checked as their lines were read
        self.md = make_markdown(self.pending, self.images)
        self.panes = PaneResolver(root)
        self.layers_renderer = layers_renderer
        self.values: dict[str, str] = {}

    def render(self, source: SectionSource, name: str) -> Section:
        section = Section(
            path=source.path,
            name=name,
            title=source.meta.get("title", ""),
            minutes=source.meta.get("minutes"),
            stacks=[],
        )
        h = 0
        v = 0
        self.checked.clear()
        parts: list[list[str]] = []  # prepared Markdown: each slide's body, then its notes (maybe empty)
        problems = Problems()
        for raw in source.slides:
            if raw.vertical and section.stacks:
                v += 1
                slide_id = f"{name}-{h}-{v}"
            else:
                h, v = h + 1, 1
                slide_id = f"{name}-{h}"
                section.stacks.append([])
            slide = Slide(
                id=slide_id,
                html="",
                source=section.path,
                line=raw.first_line,
                source_rel=_relative(section.path, self.root),
            )
            body: list[str] = []
            notes: list[str] = []
            with problems:  # a problem in one slide does not hide the next one's
                body = self._prepare(raw.lines, raw.line, slide, section)
                notes = self._prepare(raw.notes, raw.notes_line, slide, section, notes=True) if raw.notes else []
            parts += [body, notes]
            section.stacks[-1].append(slide)
        if problems.problems:
            self.pending.clear()
            problems.raise_any()
        self.images.clear()
        html = self._convert_all(parts)
        self._check_converted_images(source, section)
        for index, slide in enumerate(section.slides):
            slide.html = self_contained(fragments_in_written_order(element_comments(html[2 * index])))
            slide.notes = _without_steps(self_contained(element_comments(html[2 * index + 1])))
            slide.title = _first_heading(slide.html)
        if not section.title:
            section.title = next((s.title for s in section.slides if s.title), name)
        return section

    def _convert_all(self, parts: list[list[str]]) -> list[str]:
        """Convert every part in one Markdown run, split at marker paragraphs: a run costs more than a slide.

        Should a part swallow a marker (an unclosed raw HTML block does), fall back to one run per part.
        """
        marker = f"{SPLIT_MARKER}{id(parts):x}"
        lines: list[str] = []
        for part in parts:
            lines += [*part, "", marker, ""]
        pending = dict(self.pending)
        pieces = self._convert(lines).split(f"<p>{marker}</p>")
        if len(pieces) == len(parts) + 1:
            return [piece.strip("\n") for piece in pieces[:-1]]
        converted = []
        for part in parts:
            self.pending.update({k: v for k, v in pending.items() if k in part})
            converted.append(self._convert(part) if part else "")
        return converted

    def _convert(self, lines: list[str]) -> str:
        text = "\n".join(lines)
        add_extensions_for(self.md, text)
        html = self._fill_values(self.md.convert(text))
        if RAW_MARK in html:
            html = html.replace(RAW_MARK, "")
        if LIST_BREAK in html:
            html = html.replace(LIST_BREAK, "")
        if EMPTY_ITEM in html:  # an empty item that Python-Markdown still read as text: its dash, as written
            html = html.replace(" " + EMPTY_ITEM, "")
        self.md.reset()
        self.pending.clear()
        return html

    def _prepare(
        self, lines: list[str], first_line: int, slide: Slide, section: Section, notes: bool = False
    ) -> list[str]:
        """Replace what Markdown must not see (fences, panes, slide comments) with stashed HTML."""
        path = section.path
        spans = fence_spans(lines, first_line, path)
        out: list[str] = []
        problems = Problems()  # every line's problem, not only the first one's
        index = 0
        commented = False  # inside an HTML comment that an earlier line opened
        open_tag: tuple[str, int] | None = None  # the start of a tag an earlier line left open, and its line
        block_end = -1  # the index of the line after the last code block, pane or explainer
        while index < len(lines):
            start, text, number = index, lines[index], first_line + index
            index = spans.get(start, start + 1)  # past the fence, or the next line
            if open_tag and (start in spans or not text.strip()):
                open_tag = None  # a tag does not run on past a blank line or into code
            closing = ""  # the end of a comment an earlier line opened, when this line closes it
            if commented:  # shown to nobody: nothing in it is checked, filled in or pulled in
                end = text.find("-->") if start not in spans else -1
                if end < 0:
                    out += lines[start:index]
                    commented = uncommented("\n".join(lines[start:index]), True)[1]
                    continue
                closing, text, commented = text[:end + 3], text[end + 3:], False  # what follows shows
            with problems:
                if start in spans:
                    out += self._stash(self._fenced_code(lines[start:index], number, path, section),
                                       _indentation(text))
                    block_end = index
                    continue
                if "{{" in text:
                    text = _outside_code(text, lambda part, at=number: self._deck_values(part, path, at))
                stripped = text.strip()
                if "<!--" in text:  # a slide comment, unless shown as code; in the notes too, as reveal.js reads it
                    text = _outside_code(text, lambda part, at=number: self._slide_attrs(part, slide, path, at,
                                                                                         section))
                if closing:  # the rest of a line that closes a comment: Markdown shows it as a paragraph
                    if open_tag or "![" in text or "<" in text:
                        commented, open_tag = self._check_loads(text, path, number, section, open_tag)
                    out.append(closing + text)
                elif stripped.startswith("<<<layers"):
                    out += self._stash(self._layers(stripped, path, number, section), _indentation(text))
                    block_end = index
                elif stripped.startswith("<<<"):
                    pane, dep = self.panes.resolve(stripped, path, number)
                    section.dependencies.add(dep)
                    section.has_code = True
                    slide.panes.append(pane)
                    out += self._stash(pane_html(pane), _indentation(text))
                    block_end = index
                elif stripped == INCREMENTAL and not _indented_code(lines, start):
                    following = next((line for line in lines[index:] if line.strip()), "")
                    indent = len(following) - len(following.lstrip(" "))
                    if not notes and (not LIST_MARKER.match(following) or indent > 3):
                        shown = ("no line follows it" if not following.strip() else
                                 f"the list below it is indented {indent} spaces, a list inside a list item, "
                                 "which it cannot reach (mark those items {.fragment})" if LIST_MARKER.match(following)
                                 else f"the next line, {following.strip()[:40]!r}, is not a list item")
                        raise DeckError.at(path, number, f"{INCREMENTAL} makes the items of the list right below "
                                           f"it appear one by one, and {shown}: the slide would ignore it",
                                           "put it on the line right before a list (- item, at the start of the "
                                           "line), or remove it")
                    out += ["", INCREMENTAL_TOKEN, ""]
                elif stripped[:1] == "{" and LONE_ATTRS.match(stripped) and start and (
                        start == block_end or _table_row(lines[start - 1]) or OWN_BLOCK_LINE.match(lines[start - 1])):
                    # right under a code block, pane, table or element that Python-Markdown keeps out of
                    # paragraphs, which attribute lists cannot reach: it becomes reveal.js's element comment,
                    # which reaches them (under an HTML block, _html_blocks does the same)
                    out += ["", f"<!-- .element: {_attr_list_html(stripped)} -->", ""]
                elif not notes and stripped[:1] == "{" and LONE_ATTRS.match(stripped) and not (
                        start and lines[start - 1].strip()) and not _indented_code(lines, start):
                    raise DeckError.at(path, number, f"{stripped} on a line of its own, after a blank line, "
                                       "applies to nothing: the slide would show it as text",
                                       "put it on the line right under its paragraph, with no blank line "
                                       "between, or at the end of a list item: `- item {.fragment}`")
                else:
                    if open_tag or "![" in text or "<" in text:  # what IMAGE and HTML_MEDIA start with
                        commented, open_tag = self._check_loads(text, path, number, section, open_tag)
                    match = LIST_ITEM_ATTRS.match(text) if "{" in text else None
                    if match:
                        indent = " " * (len(match.group(1)) - len(match.group(1).lstrip()) + 2)
                        out += [match.group(1), indent + match.group(2)]
                    elif "{" in text and (index == len(lines) or not lines[index].strip()) and (
                            match := TRAILING_ATTRS.match(text)):
                        # a paragraph's last line: the attribute list goes under it, where it applies to it
                        indent = " " * (len(match.group(1)) - len(match.group(1).lstrip()))
                        out += [match.group(1), indent + match.group(2)]
                    else:
                        out.append(text)
        problems.raise_any()
        return _lists_as_in_commonmark(self._html_blocks(out))

    def _html_blocks(self, lines: list[str]) -> list[str]:
        """Stash each HTML block as reveal.js's Markdown (CommonMark) reads it: from a line that starts with a
        block-level tag, or a line that is one whole tag after a blank line, up to the next blank line.

        Markdown between such blocks is Markdown (`<div>`, a blank line, `- item`, a blank line, `</div>`);
        Python-Markdown would take everything up to the closing tag as HTML and show the item's Markdown as
        it is.
        """
        if not any(line.lstrip()[:1] == "<" for line in lines):
            return lines
        out: list[str] = []
        block: list[str] = []
        commented = False
        margin = ""  # the indentation of the block's first line (in a list item), which its lines keep
        closing = ""  # the end tag of a raw <pre>, <script>, <style> or <textarea> block, which ends it
        listed = False  # a list item's line came since the last blank line

        def stash(block: list[str]) -> list[str]:
            return self._stash(RAW_MARK + "\n".join(text[len(margin):] for text in block), margin)

        for line in [*lines, ""]:
            if block:
                if closing and line != GAP and closing not in block[-1].lower():
                    block.append(line)
                    continue
                if not closing and line.strip() and line != GAP and line.startswith(margin) and not (
                        line.lstrip()[:1] == "{" and LONE_ATTRS.match(line.strip())):
                    block.append(line)
                    continue
                out += stash(block)
                block, closing = [], ""
                if line.lstrip()[:1] == "{" and LONE_ATTRS.match(line.strip()):  # right under the block: for it
                    out += ["", f"{margin}<!-- .element: {_attr_list_html(line.strip())} -->", ""]
                    continue
            raw = RAW_BLOCK_START.match(line) if not commented and line.lstrip()[:1] == "<" else None
            if raw:
                block, margin, closing = [line], _indentation(line), f"</{raw.group(1).lower()}>"
                if closing in line.lower():  # opened and closed on one line: up to the next blank line
                    closing = ""
                continue
            # a line of one tag starts a block after a blank line, or at the margin under a list, which it
            # ends (reveal.js's Markdown ends a list at a tag: `- a` then `<img src=...>`)
            if not commented and line.lstrip()[:1] == "<" and (HTML_BLOCK_START.match(line) or (
                    (not out or not out[-1].strip() or out[-1] == GAP or (listed and line[0] == "<")
                     or HEADING_START.match(out[-1]) or RULE.match(out[-1]))  # (no paragraph goes on there)
                    and HTML_TAG_LINE.match(line))):
                block, margin = [line], _indentation(line)
                continue
            if commented or "<!--" in line:
                commented = uncommented(line, commented)[1]
            if line.lstrip()[:1] in "#*-_" and (HEADING_START.match(line) or RULE.match(line)):
                listed = False  # a heading or a rule ends the list
            elif line.lstrip()[:1] in "-*+0123456789" and (item := LIST_MARKER.match(line)):
                # an item with text: after a blank line, in a list, or under a paragraph's line if a
                # bullet or 1 (another number, or an empty item, does not start a list there)
                listed = bool(line[item.end():].strip()) and (
                    listed or not out or not out[-1].strip() or out[-1] == GAP or item.group(3) in (None, "1"))
            elif not line.strip() or line == GAP:
                listed = False
            out.append(line)
        if block:  # a raw block whose end tag never came: it runs to the end, as in a browser
            return out + stash(block[:-1])
        return out[:-1]

    def _deck_values(self, text: str, path: Path, number: int) -> str:
        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in self.values:
                raise DeckError.at(
                    path,
                    number,
                    f"unknown deck value {{{{ deck.{key} }}}}",
                    "known: " + ", ".join(f"deck.{k}" for k in self.values),
                )
            # A word Markdown leaves alone stands in for the value, which goes in after the conversion,
            # HTML-escaped: in Markdown text, raw HTML and attributes alike it then reads as it is.
            return f"{VALUE_TOKEN}{list(self.values).index(key)}x{id(self):x}"

        return DECK_VALUE.sub(value, text)

    def _fill_values(self, html: str, escaped: bool = True) -> str:
        """`html` with the deck values' stand-ins replaced by the values (HTML-escaped unless told not to)."""
        if VALUE_TOKEN not in html:
            return html
        for index, value in enumerate(self.values.values()):
            html = html.replace(f"{VALUE_TOKEN}{index}x{id(self):x}", escape(value) if escaped else value)
        return html

    def _stash(self, html: str, indent: str = "") -> list[str]:
        """Lines that stand for `html` (indented as the block was, which may put it in a list item)."""
        token = f"{BLOCK_TOKEN}{len(self.pending)}-{id(self.pending):x}"
        self.pending[token] = html
        return [GAP, indent + token, GAP]

    def _slide_attrs(self, text: str, slide: Slide, path: Path, number: int, section: Section) -> str:
        if "<!--" in text:
            _one_line_attr_comments(text, path, number)
        if ".element" in text:
            for comment in ELEMENT_COMMENT.finditer(text):
                _readable_attrs(comment.group(1), ELEMENT_ATTR, path, number, "element")
        match = SLIDE_ATTRS.search(text)
        if not match:
            return text
        _readable_attrs(match.group(1), ATTR, path, number, "slide")
        for attr in ATTR.finditer(match.group(1)):
            name = attr.group(1)
            if name.lower() == "id" or name.lower().startswith("data-td-"):
                hint = (
                    f"this slide's id is {slide.id}, from its section file and position, so its link "
                    f"#/{slide.id} keeps working; style it with class=\"...\" instead"
                    if name.lower() == "id"
                    else "talkdeck keeps data-td-* attributes for itself; choose another name"
                )
                raise DeckError.at(path, number, f"slide attribute {name} is talkdeck's to set", hint)
            value = decoded(self._fill_values(_attr_value(attr), escaped=False))  # written once more, escaped
            if name.lower() == "data-timing":  # reveal's own: this slide's seconds in the speaker view
                seconds = value.strip()
                if not (seconds.isascii() and seconds.isdigit()) or int(seconds) > 86400:
                    raise DeckError.at(path, number, f"data-timing={value!r} is not a number of seconds",
                                       'write a whole number of seconds, such as data-timing="90"')
                slide.timing, slide.timed = int(seconds), True
                continue
            for url, noun in _background_sources(name.lower(), value):
                self._check_image_source(url, path, number, section, noun)
            if name == "class" and "class" in slide.attrs:
                value = f"{slide.attrs['class']} {value}"
            slide.attrs[name] = value
        return SLIDE_ATTRS.sub("", text)

    def _fenced_code(self, block: list[str], line: int, path: Path, section: Section) -> str:
        opening = FENCE.match(block[0])
        assert opening is not None
        info = INFO.match(opening.group(2))
        if not info:
            raise DeckError.at(
                path,
                line,
                f"cannot read the code fence's info {opening.group(2).strip()!r}",
                "write ```LANGUAGE or ```LANGUAGE [1-2|4]",
            )
        indent = len(block[0]) - len(block[0].lstrip(" "))  # a fence in a list item: its lines lose as much
        code = [line[min(indent, len(line) - len(line.lstrip(" "))):] for line in block[1:-1]]
        lang = info.group("lang")  # none: highlight.js guesses it, as in reveal.js
        written = info.group("steps")
        steps = (written or "").strip()
        offset = STEPS_OFFSET.match(steps) if ":" in steps else None  # reveal.js's `[712: 1-2|3]`
        if offset:
            steps = offset.group(2).strip()
        if steps:
            check_steps(steps, len(code), path, line, written=f"[{written}]")
        section.has_code = True
        attrs = f' data-line-numbers="{escape(steps)}"' if written is not None else ""
        if offset and offset.group(1):  # the first line's number; the steps still count from the block's top
            attrs += f' data-ln-start-from="{int(offset.group(1))}"'
        language = f' class="language-{escape(lang)}"' if lang else ""
        return (
            f'<pre class="td-code"><code{language}{attrs}>'
            f"{escape(chr(10).join(code))}</code></pre>"
        )

    def _layers(self, line_text: str, path: Path, number: int, section: Section) -> str:
        if self.layers_renderer is None:
            from talkdeck.layers_slide import render_layers_line

            self.layers_renderer = render_layers_line
        html, deps = self.layers_renderer(line_text, self.root, path, number)
        section.dependencies.update(deps)
        section.has_layers = True
        return html

    def _check_loads(self, text: str, path: Path, number: int, section: Section,
                     open_tag: tuple[str, int] | None = None) -> tuple[bool, tuple[str, int] | None]:
        """Check the files a line loads; say whether it leaves an HTML comment open, and give the start of a
        tag it leaves open (`<img` with its `src=` on the next line), with its line, for the next line.

        Code shows and loads nothing, nor does a comment, on this line or running on below it.
        """
        code_free = without_code_spans(text)
        commented = False
        if "<!--" in code_free:
            code_free, commented = uncommented(code_free)
        if open_tag is not None:  # the rest of a tag an earlier line began: read whole, at its first line
            code_free, number = f"{open_tag[0]}\n{code_free}", open_tag[1]
        start = code_free.rfind("<")
        if start >= 0 and ">" not in code_free[start:] and not commented and code_free.count("\n", start) < 20 \
                and TAG_OPENING.match(code_free, start):
            code_free, open_tag = code_free[:start], (code_free[start:], number)
        else:
            open_tag = None
        self._check_images(code_free, path, number, section)
        return commented, open_tag

    def _check_images(self, text: str, path: Path, number: int, section: Section) -> None:
        # An image on a line indented as code may be code (an indented code block) or not (a list item's
        # second paragraph): those that Markdown shows are checked after the conversion.
        indented = text[:4] == "    " or text[:len(text) - len(text.lstrip())].count("\t")
        # (source, noun, whether written in Markdown, with its backslash escapes)
        sources = [] if indented else [(m.group(2), "image", True) for m in IMAGE.finditer(text)]
        if "<" in text:
            sources += [(src, noun, False) for src, noun in _html_sources(text)]
        problems = Problems()
        for src, noun, in_markdown in sources:
            with problems:
                if noun == "link":
                    self._link_target(src, section)
                else:
                    self._check_image_source(src, path, number, section, noun, in_markdown)
        problems.raise_any()

    def _link_target(self, href: str, section: Section) -> None:
        """A file of the deck that a link names goes into the output with the slides, so the link works from
        there (a link to a missing file is left for `talkdeck check`, which reports it)."""
        named = deck_file(self.root, href)
        if named is not None and named[2] and ".." not in Path(file_path(href)).parts:
            self._take(section, named[0], named[1])

    def _check_converted_images(self, source: SectionSource, section: Section) -> None:
        """Check the images only the conversion shows (`![a][ref]` and its `[ref]: img/a.png` line)."""
        problems = Problems()
        for noun, src in dict.fromkeys(self.images):
            if noun == "link":
                self._link_target(src, section)
            elif src not in self.checked:
                with problems:
                    self._check_image_source(src, section.path, _line_naming(source, src), section)
        problems.raise_any()

    def _check_image_source(
        self, src: str, path: Path, number: int | None, section: Section, noun: str = "image",
        markdown: bool = False,
    ) -> None:
        """A local image (or other file a slide loads) must exist inside the deck, as it is copied into the
        output; a remote one is refused. `markdown`: `src` is as a Markdown image writes it, backslash escapes
        and all."""
        self.checked.add(src)
        if src.startswith("data:"):
            return
        if is_remote(src):
            raise DeckError.at(
                path,
                number,
                f"{noun} {src} would be loaded from the network",
                f"a deck must work offline: save the {noun} in img/ and link it from there",
            )
        rel = file_path(src, markdown)
        if not rel:  # "#top", "?x": this page
            return
        target = inside_deck(self.root, rel, path, number, noun)
        self._take(section, Path(rel).as_posix(), target)

    def _take(self, section: Section, rel: str, path: Path) -> None:
        """A file of the deck into the output with the section, and what it loads if it is a stylesheet or a
        page (an iframe's, or one a link opens): fonts, images, scripts, the pages it shows."""
        section.images.add(rel)
        section.dependencies.add(path)
        suffix = posixpath.splitext(rel)[1].lower()
        if suffix in (".css", ".html", ".htm"):
            named, missing = sheet_files(self.root, [rel]) if suffix == ".css" else page_files(self.root, rel)
            section.images.update(named)
            section.dependencies.update([self.root / name for name in named] + missing)


def _lists_as_in_commonmark(lines: list[str]) -> list[str]:
    """Markdown `lines` with their lists written so that Python-Markdown reads them as reveal.js's Markdown
    (CommonMark) does:

    - a nested item, or a list item's next paragraph or code, is indented as far as its item's text
      starts (`- a` then `  - b`, `1. a` then `   - b`): it is re-indented by four spaces a level, as
      Python-Markdown wants it;
    - a blank line goes where Python-Markdown needs one to see what CommonMark sees without: a list right
      under a paragraph's line (`What we need:` then `- one`), an item after a paragraph inside the item
      before it, an item back out of a nested list in a loose list, a list of the other kind (`- a` then
      `1. b`), a quote in an item;
    - `1)` is written `1.`, and an element comment right under a list is marked as reveal.js reads it: for
      the list's last item;
    - an empty item (`-` alone) is written with a token that the tree processing takes out;
    - another bullet character, or `1)` after `1.`, ends the list (a comment, taken out after, keeps the two
      apart), and a rule (`***`) is a block of its own.
    """
    if any(line.lstrip()[:1] == ">" for line in lines):
        lines = _quotes(lines)
    out: list[str] = []
    items: list[int] = []  # the column where the text of each open list item starts, outermost first
    kinds: list[str] = []  # their markers' kinds: the bullet (`-`, `*` or `+`), or `.` or `)` after a number
    loose = False  # a blank line came inside the open list
    previous = "blank"  # the line before: blank, text (a paragraph's), item or other
    commented = False
    tight = False  # the last stashed block sits in an item's text, with no blank line around it
    table = False  # inside a table, which a list, heading or quote ends
    bordered = False  # the table's header has pipes on its sides
    for index, line in enumerate(lines):
        if line == GAP:  # around a stashed block: none where the block continues an item's text
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if tight or (items and previous in ("item", "text") and BLOCK_TOKEN in following
                         and len(following) - len(following.lstrip(" ")) >= items[0]):
                tight = not tight
                continue
            line = ""
        if tight and BLOCK_TOKEN in line:  # a line of the item's text, as CommonMark keeps the list tight
            out.append(line.strip())
            continue
        if commented or not line.strip():
            out.append(line)
            commented = commented and "-->" not in line
            if not line.strip():
                previous, loose, table = "blank", loose or bool(items), False
            continue
        expanded = line.expandtabs(4) if "\t" in line else line
        indent = len(expanded) - len(expanded.lstrip(" "))
        first = expanded[indent]
        if "<!--" in line:
            if items and previous != "blank" and indent < items[0] and ELEMENT_BLOCK.match(line):
                out += ["", line.replace(".element", ".element" + LAST_ITEM, 1)]  # right under the list
                previous = "other"
                continue
            commented = uncommented(line)[1]
        if previous == "text" and "|" in line and index + 1 < len(lines) and "-" in lines[index + 1] and (
                TABLE_RULE.match(lines[index + 1])):
            out.append("")  # a table right under a paragraph's line
            previous = "blank"
        if table and (first == ">" or HEADING_START.match(expanded) or (
                LIST_MARKER.match(expanded) and not RULE.match(expanded))):
            out.append("")  # a list, heading or quote right under a table ends it (GitHub's tables)
            previous, table = "blank", False
        elif not table and "-" in line and index and "|" in lines[index - 1] and TABLE_RULE.match(line):
            table, bordered = True, lines[index - 1].lstrip()[:1] == "|"
        if table and "|" in line and (line.lstrip()[:1] == "|") != bordered:
            # Python-Markdown reads each row's cells as the header's, with pipes on the sides or without
            row = line.strip()
            line = expanded = _indentation(line) + (_bordered(row) if bordered else _unbordered(row))
        if BLOCK_TOKEN in line and (not items or indent < items[0]):
            line = expanded = line.lstrip(" ")  # a block indented as code outside a list: a block all the same
            indent = 0
        item = LIST_MARKER.match(expanded) if first in "-*+" or first.isdigit() else None
        if item and expanded[item.end():item.end() + 1] in ("-", "*") and RULE.match(expanded):
            item = None
        if item and not expanded[item.end():].strip() and (
                (not items and previous == "text")
                or (items and indent >= items[-1] and previous in ("item", "text"))):
            item = None  # no empty item right under a paragraph's line: `-` makes it a heading, `1.` goes on it
        elif item and previous == "text" and not items and item.group(3) not in (None, "1"):
            item = None  # nor a list from another number than 1: `2. y` goes on it
        if item and (items or indent <= 3):
            kind = item.group(4) or item.group(2)  # the number's delimiter, or the bullet
            sibling, levels = None, len(items)
            while items and indent < items[-1]:  # not inside the innermost item's text: a sibling
                items.pop()
                sibling = kinds.pop()
            # another bullet, or another delimiter after the number, starts another list; Python-Markdown
            # needs a blank line between a bulleted and a numbered one, and more between two of a kind
            # (nested in an item, bullets of another character stay in its list)
            same_family = sibling is not None and (sibling in "-*+") == (kind in "-*+")
            if (
                previous == "quote"
                or (previous == "text" and (items or sibling or item.group(3) in (None, "1")))
                or (sibling and sibling != kind and not (same_family and items))
                or (loose and levels - len(items) > 1)
                or (loose and levels > len(items) and previous == "other")
            ):
                out.append("")
            if not items and sibling and sibling != kind and same_family:
                out += [LIST_BREAK, ""]
            if not items and sibling != kind:
                loose = False  # a new list
            spaces = len(item.group(5))
            width = len(item.group(2)) + (spaces if 0 < spaces <= 4 else 1)
            text = expanded[indent:]
            if not expanded[item.end():].strip():  # Python-Markdown reads `-` alone as text, and right
                # under an item (`- a`, `-`) as the line under a heading
                text = f"{item.group(2)} {EMPTY_ITEM}"
                following = next((later for later in lines[index + 1:] if later != GAP), "")
                if following.strip() and len(following) - len(following.lstrip(" ")) < indent + width and not (
                        LIST_MARKER.match(following)):
                    text += "\n"
            if kind == ")":  # Python-Markdown knows only `1.`
                text = f"{item.group(3)}.{text[len(item.group(2)):]}"
            out.append(" " * (4 * len(items)) + text)
            items.append(indent + width)
            kinds.append(kind)
            previous = "blank" if text.endswith("\n") else "item"  # (after an empty item that ends the list)
            continue
        if items and first == ">" and previous in ("item", "text"):
            out.append("")  # a quote under an item's text: a block of its own
            previous = "blank"
        if items and indent >= items[0]:  # inside an item: indented by its level, plus whatever is extra
            depth = max(level for level, column in enumerate(items) if indent >= column)
            extra = indent - items[depth]
            if previous == "blank":
                del items[depth + 1:], kinds[depth + 1:]
            out.append(" " * (4 * depth + 4 + extra) + expanded[indent:])
        else:
            if items and previous != "blank" and line[:1] == "<" and ELEMENT_OR_TAG.match(line):
                out.append("")  # reveal.js's Markdown ends a list at a tag or comment at the margin
                previous = "blank"
            if items and previous != "blank" and (first == "#" and _heading(expanded, indent) or (
                    first in "*-_" and RULE.match(expanded))):
                out.append("")  # a heading or rule at the margin ends the list (Python-Markdown kept it in)
                previous = "blank"
            if items and previous == "blank":
                items, kinds, loose = [], [], False  # back at the margin after a blank line: the list is over
            extra = indent
            out.append(line)
            if first in "*-_" and RULE.match(expanded) and not (previous == "text" and not line.strip(" -")):
                out.append("")  # a rule is a block of its own: Python-Markdown read `***` then `-` as a heading
                items, kinds, loose, previous = [], [], False, "blank"
                continue
        if previous in ("blank", "other") or first in "#|" or line.lstrip().startswith("<!--"):
            # a paragraph starts, unless the line is a heading, table, comment, quote or code (an HTML block
            # is stashed by now: a tag here starts a paragraph)
            if first in ">{\x02" or extra > 3 or "talkdeck-" in line or (
                first == "|" and (table or index + 1 < len(lines) and TABLE_RULE.match(lines[index + 1]))) or (
                    line.lstrip().startswith("<!--")) or (first == "#" and _heading(expanded, indent)):
                previous = "other"
            elif previous != "item":  # (a `#x` or `| x` line under an item's stays in its text)
                previous = "text"
        if first == ">":
            previous = "quote"
    return out


def _heading(line: str, indent: int) -> bool:
    """Whether a line whose text starts with `#` at `indent` is a heading (HEADING_START, without compiling
    it for every deck): one to six `#`, then a space, a tab or nothing."""
    hashes = len(line) - indent - len(line[indent:].lstrip("#"))
    return indent <= 3 and hashes <= 6 and line[indent + hashes:indent + hashes + 1] in ("", " ", "\t")


def _quotes(lines: list[str]) -> list[str]:
    """`lines` with the inside of each block quote (its lines that start with `>`) read as its own Markdown:
    a list right under a paragraph's line in a quote is a list there too."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        quote = QUOTE_LINE.match(lines[index])
        if not quote:
            out.append(lines[index])
            index += 1
            continue
        end, inside = index, []
        while end < len(lines) and (line := QUOTE_LINE.match(lines[end])):
            inside.append(line.group(2))
            end += 1
        if any(FENCE.match(line) for line in inside):  # code in a quote: not read as lists
            out += lines[index:end]
        else:
            out += [f"{quote.group(1)}> {line}" if line else f"{quote.group(1)}>"
                    for line in _lists_as_in_commonmark(inside)]
        index = end
    return out


def _bordered(row: str) -> str:
    """A table row with pipes on its sides."""
    return f"|{row}|"


def _unbordered(row: str) -> str:
    """A table row without the pipes on its sides."""
    row = row[1:]
    return row[:-1] if row.endswith("|") and not row.endswith("\\|") else row


def _indentation(text: str) -> str:
    return text[:len(text) - len(text.lstrip())]


def _table_row(text: str) -> bool:
    stripped = text.strip()
    return stripped[:1] == "|" or stripped[-1:] == "|"


def _outside_code(text: str, change) -> str:
    """`text` with `change` applied to what is outside its code spans."""
    if "`" not in text:
        return change(text)
    out, end = [], 0
    for span in CODE_SPAN.finditer(text):
        out += [change(text[end:span.start()]), span.group(0)]
        end = span.end()
    out.append(change(text[end:]))
    return "".join(out)


def _one_line_attr_comments(text: str, path: Path, number: int) -> None:
    """An error for a .slide or .element comment that does not end on its line (each one of the line): talkdeck
    reads them on one line, and reveal.js reads an element comment so too. Code shows them: no error there."""
    if text[:4] == "    " or text[:1] == "\t":
        return  # indented code
    for opened in ATTR_COMMENT_START.finditer(text):
        end = text.find("-->", opened.end())
        following = ATTR_COMMENT_START.search(text, opened.end())
        if (end >= 0 and (following is None or end < following.start())) or text.count("`", 0, opened.start()) % 2:
            continue  # it ends before the next one begins, or a code span running on over lines shows it
        kind = opened.group(1)
        raise DeckError.at(path, number, f"the .{kind} comment does not end on its line: "
                           + ("reveal.js would not read it" if kind == "element" else "talkdeck would not read it"),
                           f"write <!-- .{kind}: ... --> on one line")


def _readable_attrs(text: str, pattern: LazyPattern, path: Path, number: int, kind: str) -> None:
    """A slide's or an element's attributes as written in its comment, or an error at its line: reveal.js
    would drop what it cannot read (a quote left open, a value in single quotes) without a word."""
    left = pattern.sub(" ", text).strip()
    if left:
        what = "a quote is not closed" if text.count('"') % 2 else f"{left!r} is not name=\"value\""
        quotes = "double quotes" if kind == "element" else "quotes"
        example = 'class="fragment"' if kind == "element" else 'class="center"'
        raise DeckError.at(path, number, f"cannot read the {kind} attributes {text!r}: {what}",
                           f"write each as name=\"value\", in {quotes}, e.g. <!-- .{kind}: {example} -->")


def page_files(root: Path, page: str) -> tuple[list[str], list[Path]]:
    """The deck's files that a page of the deck (one an iframe shows, relative to the deck, with `/`) loads,
    relative to itself: scripts, stylesheets with what they name, images, pages it shows in turn. Those there,
    relative to the deck, and those missing, as paths (reporting them is left to `talkdeck check`)."""
    return loaded_files(root, [page], {**SHEET_READERS, ".html": _page_urls, ".htm": _page_urls})


PAGE_COMMENT = LazyPattern(r"<!--.*?-->", re.DOTALL)


def _page_urls(text: str) -> list[str]:
    """What a page loads: its elements' sources, stylesheets and srcsets, and the `url()`s of its styles."""
    text = PAGE_COMMENT.sub("", text)
    urls = css_urls(text)  # in <style> blocks and style attributes
    for tag in ANY_TAG.finditer(text):
        name = tag.group(1).lower()
        for attr in ATTR.finditer(tag.group(2)):
            kind = attr.group(1).lower()
            if kind in ("src", "poster", "data-src") or (kind == "href" and name == "link"):
                urls.append(decoded(_attr_value(attr)))
            elif kind == "srcset":
                urls += [url for url, _ in srcset_candidates(decoded(_attr_value(attr)))]
    return urls


def _attr_value(attr: re.Match[str]) -> str:
    """The value of an attribute ATTR matched: double-quoted, single-quoted, bare, or none at all."""
    return next((g for g in attr.groups()[1:] if g is not None), "")


def _background_sources(name: str, value: str) -> list[tuple[str, str]]:
    """The files a slide's background attribute loads, with a noun. reveal.js takes `data-background` as an
    image when it is a URL or names an image file, else as a colour."""
    value = value.strip()
    if not value:
        return []
    if name == "data-background" and "url(" in value.lower():  # CSS, as reveal.js takes it: the files it names
        return [(url, "image") for url in css_urls(value)]
    if name == "data-background-image" or (name == "data-background" and BACKGROUND_IMAGE.search(value)):
        return [(url, "image") for url in background_list("data-background-image", value)]
    if name == "data-background-video":
        return [(url, "video") for url in background_list(name, value)]
    if name == "data-background-iframe":
        return [(value, "page")]
    return []


def _html_sources(text: str) -> list[tuple[str, str]]:
    """The files raw HTML on a line loads (`<video src=... poster=...>`, `<img srcset=...>`, `url()` in a
    style), with a noun; and the links its `<a href>` make, with the noun "link"."""
    found = []
    if "url(" in text or "<a" in text:
        for element in ANY_TAG.finditer(text):
            for attr in ATTR.finditer(element.group(2)):
                name = attr.group(1).lower()
                if name == "style" and "url(" in attr.group(0):
                    for url in css_urls(decoded(_attr_value(attr))):
                        if url and not SCHEME.match(url) and not url.startswith("//"):  # remote: left to check
                            found.append((url, "image"))
                elif name == "href" and element.group(1).lower() == "a":
                    found.append((decoded(_attr_value(attr)).strip(), "link"))
    for element in HTML_MEDIA.finditer(text):
        tag = element.group(1).lower()
        for attr in ATTR.finditer(element.group(2)):  # each attribute whole, quoted values and all
            name = attr.group(1).lower()
            if name not in HREF_ATTRS.get(tag, MEDIA_ATTRS):
                continue
            value = decoded(_attr_value(attr))
            noun = "image" if name == "poster" else MEDIA_NOUN.get(tag, "file")
            if tag == "link" and "stylesheet" in element.group(2).lower():
                noun = "stylesheet"
            urls = [url for url, _ in srcset_candidates(value)] if name == "srcset" else [value.strip()]
            for url in urls:
                if not url or (SCHEME.match(url) and not is_remote(url)):
                    continue  # data:, blob:, about: name no file of the deck
                if is_remote(url) and (tag, name) != ("img", "src"):
                    continue  # other remote sources are left to `talkdeck check`, which loads the deck
                found.append((url, noun))
    return found


def _line_naming(source: SectionSource, text: str) -> int | None:
    """The number of the section's first line that contains `text`."""
    for raw in source.slides:
        for first, lines in ((raw.line, raw.lines), (raw.notes_line, raw.notes)):
            for index, line in enumerate(lines):
                if text in line or ("\\" in line and text in ESCAPED.sub(r"\1", line)):
                    return first + index
    return None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _indented_code(lines: list[str], index: int) -> bool:
    """Whether the line at `index` is indented code: four spaces or more, and not inside a list item (where
    four spaces are the item's own text). The nearest line above indented less tells."""
    text = lines[index]
    if len(text) - len(text.lstrip(" ")) < 4:
        return False
    above = next((line for line in reversed(lines[:index]) if line.strip()
                  and len(line) - len(line.lstrip(" ")) < 4), "")
    return not LIST_MARKER.match(above)


def pane_html(pane: CodePane) -> str:
    numbers = pane.lines
    contiguous = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    attrs = f' data-line-numbers="{escape(pane.steps)}" data-ln-start-from="{numbers[0]}"'
    if not contiguous:
        attrs += f' data-td-lines="{",".join(map(str, numbers))}"'
    size = "td-pane-xlong" if len(numbers) > 24 else "td-pane-long" if len(numbers) > 15 else ""
    return (
        f'<figure class="{" ".join(["td-pane", size]).strip()}" data-td-path="{escape(pane.path)}">'
        f"<figcaption>{escape(pane.label)}</figcaption>"
        f'<pre><code class="language-{escape(pane.language)}"{attrs}>{escape(pane.text)}</code></pre>'
        f"</figure>"
    )


def _first_heading(html: str) -> str:
    """The text of the first heading in `html`, as it reads (templates escape it again as they show it)."""
    match = re.search(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""
