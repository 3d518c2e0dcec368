"""Reading an article from text: the plain-text blog export and Markdown.

Pure functions, no database: `parse_article(text)` returns a `ParsedArticle`
or raises `ArticleFormatError` with one line a person can act on.

Plain text has no heading markers, so a line is a heading when it is short
and does not end like a sentence. A heading in sentence case ("Trust between
nations") opens a topic; one in Title Case ("Trust Issues") opens a subsection
of the current topic. Markdown says it with `##` and `###`.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify


class ArticleFormatError(ValueError):
    pass


@dataclass
class ParsedSubsection:
    title: str
    body: list[str] = field(default_factory=list)


@dataclass
class ParsedTopic:
    title: str
    intro: list[str] = field(default_factory=list)
    subsections: list[ParsedSubsection] = field(default_factory=list)

    def add(self, block: str) -> None:
        (self.subsections[-1].body if self.subsections else self.intro).append(block)

    @property
    def summary(self) -> str:
        first = next((block for block in self.intro if not block.startswith("- ")), "")
        return first_sentence(first)


@dataclass
class ParsedKeyPoint:
    icon: str
    label: str
    text: str


@dataclass
class ParsedFaq:
    question: str
    answer: list[str] = field(default_factory=list)


@dataclass
class ParsedArticle:
    title: str = ""
    lede: str = ""
    intro: list[str] = field(default_factory=list)
    topics: list[ParsedTopic] = field(default_factory=list)
    key_points: list[ParsedKeyPoint] = field(default_factory=list)
    faqs: list[ParsedFaq] = field(default_factory=list)

    def default_title(self) -> str:
        """The lede's subject ("The reduction in X is influenced by..." -> "The reduction in X")."""
        match = re.match(r"(.{10,90}?)\s+(?:is|are|was|were|has|have)\s", self.lede)
        return match.group(1).strip(" ,") if match else ""


# Lines after which a blog export has only its own chrome (links, the author's blurb).
STOP_LINES = {"read more content", "read more", "autor", "author", "about the author", "related posts"}
SENTENCE_END = tuple('.!?:;,…"”’)')
BULLET = re.compile(r"^(?:[•·▪‣◦*]|-(?!-))\s+(.+)$")
SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor",
    "of", "on", "or", "over", "per", "the", "to", "up", "via", "vs", "with",
}  # fmt: skip


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return (match.group(1) if match else text).strip()


def is_key_point_row(line: str) -> bool:
    """A summary-table row starts with an icon: a symbol such as an emoji."""
    return bool(line) and unicodedata.category(line[0]).startswith("S")


def looks_like_heading(line: str) -> bool:
    return len(line) <= 120 and len(line.split()) <= 14 and line[0].isalnum() and not line.endswith(SENTENCE_END)


def is_title_case(line: str) -> bool:
    words = [word for word in re.split(r"[\s]+", line) if word[:1].isalpha()]
    return all(word[0].isupper() for i, word in enumerate(words) if i == 0 or word.lower() not in SMALL_WORDS)


def is_faq_heading(title: str) -> bool:
    lowered = title.lower()
    return lowered.startswith("faq") or "frequently asked" in lowered


def split_key_point(row: str) -> ParsedKeyPoint:
    """Split "🗣️ Public Opinion Shapes leaders' actions." into icon, label and text.

    An explicit separator (":", " – ", " - ", a table's "|") wins; without one,
    the text starts at the last capitalised word before the first lowercase one.
    """
    row = row.strip().strip("|").strip()
    if "|" in row:
        cells = [cell.strip() for cell in row.split("|")]
        if len(cells) >= 3:
            return ParsedKeyPoint(icon=cells[0], label=cells[1], text=" | ".join(cells[2:]))
    icon_end = 0
    while icon_end < len(row) and not row[icon_end].isalnum() and not row[icon_end].isspace():
        icon_end += 1
    icon, rest = row[:icon_end], row[icon_end:].strip()
    for separator in (": ", " – ", " — ", " - ", "|"):
        if separator in rest:
            label, text = rest.split(separator, 1)
            return ParsedKeyPoint(icon=icon, label=label.strip(" *"), text=text.strip())
    words = rest.split()
    capitalised = 0
    while capitalised < len(words) and words[capitalised][:1].isupper():
        capitalised += 1
    cut = max(1, capitalised - 1) if capitalised < len(words) else min(2, len(words))
    return ParsedKeyPoint(icon=icon, label=" ".join(words[:cut]), text=" ".join(words[cut:]))


def tokens_from_plain_text(lines: list[str]):
    """Yield (kind, level, text): one paragraph per line, headings guessed by shape."""
    for line in lines:
        if bullet := BULLET.match(line):
            yield "bullet", 0, bullet.group(1).strip()
        elif is_key_point_row(line):
            yield "row", 0, line
        elif looks_like_heading(line):
            yield "heading", 3 if is_title_case(line) else 2, line
        else:
            yield "para", 0, line


def tokens_from_markdown(lines: list[str]):
    """Yield (kind, level, text) from `#` headings, `-` bullets, tables and paragraphs."""
    paragraph: list[str] = []
    lines = lines + [""]
    for index, line in enumerate(lines):
        heading = re.match(r"^(#{1,6})\s+(.+?)\s*#*$", line)
        bullet = BULLET.match(line)
        if paragraph and (not line or heading or bullet or line.startswith("|")):
            yield "para", 0, " ".join(paragraph)
            paragraph = []
        if heading:
            yield "heading", len(heading.group(1)), heading.group(2)
        elif bullet:
            text = bullet.group(1).strip()
            yield ("row" if is_key_point_row(text) else "bullet"), 0, text
        elif line.startswith("|"):
            # A table's rule (|---|---|) and the header row above it are not rows.
            if not is_table_rule(line) and not is_table_rule(lines[index + 1]):
                yield "row", 0, line
        elif line:
            paragraph.append(line)


def is_table_rule(line: str) -> bool:
    return line.startswith("|") and bool(re.fullmatch(r"[|:\-\s]+", line))


def is_markdown(lines: list[str]) -> bool:
    return any(re.match(r"^#{1,3}\s", line) for line in lines)


def clean_lines(text: str) -> list[str]:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line.lower().rstrip(":") in STOP_LINES:
            break
        lines.append(line)
    return lines


def parse_article(text: str) -> ParsedArticle:
    lines = clean_lines(text)
    if not any(lines):
        raise ArticleFormatError("the file is empty")
    markdown = is_markdown(lines)
    if markdown:
        tokens = list(tokens_from_markdown(lines))
    else:
        tokens = list(tokens_from_plain_text([line for line in lines if line]))
    article = ParsedArticle()
    mode = "intro"
    previous_heading = None
    for index, (kind, level, text) in enumerate(tokens):
        if kind == "heading":
            if text == previous_heading:  # a heading repeated on the next line is one heading
                continue
            previous_heading = text
            next_kind = tokens[index + 1][0] if index + 1 < len(tokens) else None
            if level == 1 and not article.title:
                article.title = text
            elif is_faq_heading(text):
                mode = "faq"
            elif next_kind == "row":
                mode = "summary"
            elif mode == "faq" and level >= 3:
                article.faqs.append(ParsedFaq(question=text))
            elif level >= 3 and article.topics and mode == "topic":
                article.topics[-1].subsections.append(ParsedSubsection(title=text))
            else:
                article.topics.append(ParsedTopic(title=text))
                mode = "topic"
            continue
        previous_heading = None
        block = f"- {text}" if kind == "bullet" else text
        if mode == "summary" and kind in ("row", "bullet"):
            article.key_points.append(split_key_point(text))
        elif mode == "faq":
            if text.endswith("?") and kind == "para" and not markdown:
                article.faqs.append(ParsedFaq(question=text))
            elif article.faqs:
                article.faqs[-1].answer.append(block)
        elif mode == "topic":
            article.topics[-1].add(block)
        elif mode == "intro":
            if not article.lede and kind == "para":
                article.lede = text
            else:
                article.intro.append(block)
    if not article.topics:
        raise ArticleFormatError("no sections found (plain-text headings or Markdown ## headings)")
    if not article.lede:
        raise ArticleFormatError("no opening paragraph before the first section")
    return article


def join_blocks(blocks: list[str]) -> str:
    """Markdown for a list of blocks: bullets on consecutive lines, paragraphs apart."""
    out: list[str] = []
    for block in blocks:
        if out and not (block.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(block)
    return "\n".join(out)


def unique_slugs(titles: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    slugs = []
    for title in titles:
        base = slugify(title)[:180] or "section"
        seen[base] = seen.get(base, 0) + 1
        slugs.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return slugs
