"""Read articles from files and folders: .txt, .html, .json, .jsonl, .csv (and .zip of these).

Every problem is reported as a :class:`Skipped` naming the file (and line or record) and the reason;
reading goes on with the next file or record. Nothing here raises on bad input.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from frontlines.records import Article
from frontlines.text import clean_text

log = logging.getLogger(__name__)

TEXT_EXT = {".txt", ".text", ".md"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSON_EXT = {".json"}
JSONL_EXT = {".jsonl", ".ndjson"}
CSV_EXT = {".csv", ".tsv"}
ZIP_EXT = {".zip"}
SUPPORTED = TEXT_EXT | HTML_EXT | JSON_EXT | JSONL_EXT | CSV_EXT | ZIP_EXT
FIELDS = ("id", "title", "text", "published", "url", "source")

#: longest text analysed as one article; longer ones are split at paragraph breaks into parts. spaCy's
#: memory grows with the tokens in a batch (16 texts): ~140 MB per 50,000-character text, so a batch of
#: parts peaks near 2.5 GB; at 200,000 characters a 50 MB file needed ~10 GB. News articles are far shorter.
MAX_ARTICLE_CHARS = 50_000
#: largest single file read whole (JSONL and CSV stream and have no limit)
MAX_FILE_BYTES = 200 * 1024 * 1024

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class Skipped:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


Item = Article | Skipped


# --- bytes to text ---------------------------------------------------------------------------------

def sniff_binary(data: bytes) -> str | None:
    """What a binary file seems to be, or None if it looks like text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8)):
        return None
    import filetype

    kind = filetype.guess(data[:8192])
    if kind is not None:
        return f"binary file ({kind.mime})"
    head = data[:8192]
    if head.startswith(b"%PDF"):
        return "binary file (application/pdf)"
    if head and head.count(b"\x00") > len(head) * 0.3:
        return "binary file (many NUL bytes)"
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    # text has almost none (a stray NUL or two is cleaned away); random or compressed bytes have ~10 %
    if head and ctrl > len(head) * 0.05:
        return "binary file (control bytes)"
    return None


#: the Windows code page of each language charset-normalizer recognises
_LANGUAGE_CODEPAGE = {
    "Arabic": "cp1256", "Farsi": "cp1256", "Hebrew": "cp1255", "Greek": "cp1253", "Turkish": "cp1254",
    "Russian": "cp1251", "Ukrainian": "cp1251", "Bulgarian": "cp1251", "Serbian": "cp1251", "Kazakh": "cp1251",
    "Polish": "cp1250", "Czech": "cp1250", "Slovak": "cp1250", "Hungarian": "cp1250", "Romanian": "cp1250",
    "Croatian": "cp1250", "Slovene": "cp1250", "Lithuanian": "cp1257", "Estonian": "cp1257", "Vietnamese": "cp1258",
    **dict.fromkeys(("English", "German", "French", "Dutch", "Italian", "Spanish", "Portuguese", "Swedish",
                     "Norwegian", "Danish", "Finnish", "Indonesian"), "cp1252"),
}


def _sparse_western(text: str) -> bool:
    """English (or other Western) text with the odd accented letter: under 8 % non-ASCII letters, in
    mostly-ASCII words ("café", "été", "Zürich"). Arabic or Cyrillic read as cp1252 gives whole words of
    accented letters ("ÇáãæÕá"), Polish gives symbols inside words ("przej³y")."""
    text = text[:200_000]
    letters = sum(c.isalpha() for c in text)
    odd = [m.start() for m in re.finditer(r"[^\x00-\x7f]", text)]
    if not letters or sum(text[i].isalpha() for i in odd) > 0.08 * letters:
        return False
    for i in odd:
        c = text[i]
        if not c.isalpha() and c not in "\u2018\u2019" and 0 < i < len(text) - 1 and text[i - 1].isalpha() \
                and text[i + 1].isalpha():
            return False
    for w in text.split():
        na = sum(c.isalpha() and ord(c) > 127 for c in w)
        if na >= 3 and na * 2 > sum(c.isalpha() for c in w):
            return False
    return True


def _pick_codepage(data: bytes, matches, best) -> str:  # type: ignore[no-untyped-def]
    """Short text is ambiguous between the code pages: charset-normalizer may rank cp1257 first for French
    ("prčs"), cp775 or big5 for English with one "Zürich", cp1250 for Turkish. So: cp1252 for mostly-ASCII
    Western text; else, among the candidates that read about as cleanly as its first guess, the Windows
    code page of the language it recognised, else cp1252 if it reads as coherently as the first guess."""
    try:
        if _sparse_western(data.decode("cp1252")):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    near = [m for m in matches if m.chaos <= best.chaos + 0.1]
    want = _LANGUAGE_CODEPAGE.get(best.language)
    if want and any(want in m.could_be_from_charset for m in near):
        return want
    if any("cp1252" in m.could_be_from_charset and m.coherence >= best.coherence - 0.01 for m in near):
        return "cp1252"
    return str(best.encoding)


def decode(data: bytes, *, partial: bool = False) -> tuple[str | None, str]:
    """Decode bytes to str: BOM, then UTF-8, then charset detection. Returns (text, encoding).

    ``partial``: ``data`` is the head of a longer file and may end inside a UTF-8 character.
    """
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                if partial:
                    return codecs.getincrementaldecoder(enc)().decode(data, final=False), enc
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    try:
        if partial:
            return codecs.getincrementaldecoder("utf-8")().decode(data, final=False), "utf-8"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:2_000_000])
    best = matches.best()
    if best is None:
        return None, "unknown"
    enc = _pick_codepage(data, matches, best)
    try:
        return data.decode(enc, errors="replace"), enc
    except LookupError:  # pragma: no cover
        return None, enc


# --- records ---------------------------------------------------------------------------------------

def normalise_date(value: object) -> str | None:
    """An ISO date from a record's ``published`` field (ISO, RFC 2822, "9 November 2017"...)."""
    if value is None or value == "":
        return None
    s = str(value).strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", s)
    if m:
        try:
            return date.fromisoformat(m.group(1)).isoformat()
        except ValueError:
            return None
    import dateparser

    try:
        dt = dateparser.parse(s, languages=["en"], settings={"DATE_ORDER": "DMY"})
    except Exception:
        return None
    return dt.date().isoformat() if dt else None


def record_to_article(rec: object, where: str, path: str) -> Item:
    if not isinstance(rec, dict):
        return Skipped(where, f"record is a {type(rec).__name__}, not an object with a 'text' field")
    text = rec.get("text")
    if not isinstance(text, str):
        return Skipped(where, "no 'text' field" if text is None else f"'text' is a {type(text).__name__}, not a string")
    text = clean_text(text)
    if not text.strip():
        return Skipped(where, "no text")
    fields: dict[str, str | None] = {}
    for f in ("id", "title", "url", "source"):
        v = rec.get(f)
        # one line: a title never holds a paragraph break (rendered through Markdown, a blank line would end
        # the HTML block and let the rest be read as Markdown)
        fields[f] = None if v is None else " ".join(clean_text(str(v)).split())[:2000] or None
    return Article(
        text=text, id=fields["id"], title=fields["title"], url=fields["url"], source=fields["source"],
        published=normalise_date(rec.get("published")), path=path, locator=where,
    )


# --- readers ---------------------------------------------------------------------------------------

def _split_long(article: Article) -> Iterator[Article]:
    if len(article.text) <= MAX_ARTICLE_CHARS:
        yield article
        return
    text = article.text
    parts: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos].isspace():  # only whitespace is dropped at a cut
            pos += 1
        if pos >= n:
            break
        end = pos + MAX_ARTICLE_CHARS
        if end >= n:
            parts.append(text[pos:])
            break
        half = pos + MAX_ARTICLE_CHARS // 2
        cut = text.rfind("\n\n", pos, end)
        if cut < half:
            cut = text.rfind("\n", pos, end)
        if cut < half:
            cut = text.rfind(" ", pos, end)
        if cut <= pos:
            cut = end
        parts.append(text[pos:cut])
        pos = cut
    log.warning("%s: %d characters, split into %d parts", article.locator or article.path, len(article.text), len(parts))
    for i, part in enumerate(parts, 1):
        yield Article(
            text=part, id=f"{article.id or 'article'}#part{i}", title=f"{article.title or ''} (part {i}/{len(parts)})".strip(),
            url=article.url, source=article.source, published=article.published, path=article.path,
            locator=f"{article.locator} part {i}",
        )


def _read_text_file(data: bytes, where: str) -> Iterator[Item]:
    text, enc = decode(data)
    if text is None:
        yield Skipped(where, "cannot decode the text (unknown character encoding)")
        return
    text = clean_text(text)
    if not text.strip():
        yield Skipped(where, "no text")
        return
    yield from _split_long(Article(text=text, id=PurePosixPath(where).stem, path=where, locator=where))


def _read_html(data: bytes, where: str) -> Iterator[Item]:
    raw, enc = decode(data)
    if raw is None:
        yield Skipped(where, "cannot decode the HTML (unknown character encoding)")
        return
    if not re.search(r"<\s*(html|body|p|div|article|head|title|span|h1)\b", raw[:200_000], re.I):
        # not HTML after all: read it as plain text
        yield from _read_text_file(raw.encode("utf-8"), where)
        return
    import trafilatura
    from htmldate import find_date

    try:
        text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_recall=True)
        meta = trafilatura.extract_metadata(raw)
    except Exception as exc:  # trafilatura raises on some malformed trees
        yield Skipped(where, f"malformed HTML ({type(exc).__name__})")
        return
    if not text or not text.strip():
        yield Skipped(where, "no text (no article body found in the HTML)")
        return
    try:
        published = find_date(raw, original_date=True, extensive_search=True)
    except Exception:
        published = None
    title = getattr(meta, "title", None) if meta else None
    url = getattr(meta, "url", None) if meta else None
    source = getattr(meta, "sitename", None) if meta else None
    yield from _split_long(
        Article(
            text=clean_text(text), id=PurePosixPath(where).stem, title=" ".join(clean_text(title).split()) or None if title else None, url=url,
            source=source, published=normalise_date(published), path=where, locator=where,
        )
    )


def _read_json(data: bytes, where: str) -> Iterator[Item]:
    text, _ = decode(data)
    if text is None:
        yield Skipped(where, "cannot decode the JSON")
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        # maybe it is JSON Lines with a .json name
        if "\n" in text.strip() and text.lstrip().startswith("{"):
            yield from _read_jsonl_lines(io.StringIO(text), where)
            return
        yield Skipped(where, f"malformed JSON at line {exc.lineno}: {exc.msg}")
        return
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        obj = obj["articles"]
    if isinstance(obj, list):
        for i, rec in enumerate(obj):
            item = record_to_article(rec, f"{where}[{i}]", where)
            yield from _split_long(item) if isinstance(item, Article) else [item]
    else:
        item = record_to_article(obj, where, where)
        yield from _split_long(item) if isinstance(item, Article) else [item]


def _read_jsonl_lines(lines: Iterable[str], where: str) -> Iterator[Item]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(f"{where}:{n}", f"malformed JSON line ({exc.msg})")
            continue
        item = record_to_article(rec, f"{where}:{n}", where)
        yield from _split_long(item) if isinstance(item, Article) else [item]


def _stream_text(fh: io.BufferedReader, where: str) -> io.TextIOBase | Skipped:
    head = fh.peek(65536)[:65536] if hasattr(fh, "peek") else b""
    binary = sniff_binary(head)
    if binary:
        return Skipped(where, binary)
    _, enc = decode(head, partial=True) if head else ("", "utf-8")
    if enc in ("utf-8",):
        enc = "utf-8"
    return io.TextIOWrapper(fh, encoding=enc, errors="replace", newline="")


def _read_csv(fh: io.TextIOBase, where: str, delimiter: str) -> Iterator[Item]:
    reader = csv.DictReader(fh, delimiter=delimiter)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield Skipped(where, f"malformed CSV ({exc})")
        return
    if not header:
        yield Skipped(where, "no text (empty CSV)")
        return
    if "text" not in [h.strip().lower() for h in header if h]:
        yield Skipped(where, f"CSV has no 'text' column (columns: {', '.join(h for h in header if h)}); need at least 'text'")
        return
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Skipped(f"{where}:{reader.line_num}", f"malformed CSV row ({exc})")
            continue
        n += 1
        rec = {(k or "").strip().lower(): v for k, v in row.items() if k is not None}
        if None in row:
            yield Skipped(f"{where}:{reader.line_num}", "row has more fields than the header")
            continue
        item = record_to_article(rec, f"{where}:{reader.line_num}", where)
        yield from _split_long(item) if isinstance(item, Article) else [item]


def read_bytes(data: bytes, name: str) -> Iterator[Item]:
    """Read one file's bytes (an upload, a zip member) by its name's extension."""
    ext = PurePosixPath(name).suffix.lower()
    if not data.strip():
        yield Skipped(name, "no text")
        return
    if ext in ZIP_EXT:
        yield from read_zip(io.BytesIO(data), name)
        return
    binary = sniff_binary(data)
    if binary:
        yield Skipped(name, binary)
        return
    if ext in HTML_EXT or ext == "":
        yield from _read_html(data, name)  # falls back to plain text when there is no markup
    elif ext in JSON_EXT:
        yield from _read_json(data, name)
    elif ext in JSONL_EXT:
        text, _ = decode(data)
        yield from _read_jsonl_lines(io.StringIO(text or ""), name)
    elif ext in CSV_EXT:
        text, _ = decode(data)
        yield from _read_csv(io.StringIO(text or "", newline=""), name, "\t" if ext == ".tsv" else ",")
    elif ext in TEXT_EXT:
        yield from _read_text_file(data, name)
    else:
        yield Skipped(name, f"unsupported file type '{ext}' (use .txt, .html, .json, .jsonl, .csv or .zip)")


def read_zip(fh: io.BytesIO | Path, name: str, *, max_members: int = 100_000, max_total: int = 2 * 1024**3) -> Iterator[Item]:
    """Members of a zip, safely: no paths outside the archive, no zip bombs."""
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile:
        yield Skipped(name, "not a valid zip archive")
        return
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            yield Skipped(name, f"zip has {len(infos)} members (limit {max_members})")
            return
        for info in infos:
            member = info.filename
            p = PurePosixPath(member.replace("\\", "/"))
            if p.is_absolute() or ".." in p.parts or member.startswith("/") or re.match(r"^[A-Za-z]:", member):
                yield Skipped(f"{name}!{member}", "refused: path outside the archive")
                continue
            if info.is_dir() or p.name.startswith(".") or "__MACOSX" in p.parts:
                continue
            total += info.file_size
            if total > max_total:
                yield Skipped(f"{name}!{member}", "refused: archive expands beyond the size limit")
                return
            if p.suffix.lower() not in SUPPORTED - ZIP_EXT:
                yield Skipped(f"{name}!{member}", f"unsupported file type '{p.suffix}'")
                continue
            yield from read_bytes(zf.read(info), f"{name}!{member}")


def read_path(path: Path) -> Iterator[Item]:
    where = str(path)
    ext = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Skipped(where, f"cannot read ({exc.strerror})")
        return
    if size == 0:
        yield Skipped(where, "no text (empty file)")
        return
    if ext and ext not in SUPPORTED:
        # say what it seems to be, reading only its head (it may be a 4 GB video)
        try:
            with path.open("rb") as fh:
                head = fh.read(8192)
        except OSError as exc:
            yield Skipped(where, f"cannot read ({exc.strerror or exc})")
            return
        binary = sniff_binary(head)
        kind = f"{binary}; " if binary else ""
        yield Skipped(where, f"{kind}unsupported file type '{ext}' (use .txt, .html, .json, .jsonl, .csv or .zip)")
        return
    if ext not in ZIP_EXT | JSONL_EXT | CSV_EXT and size > MAX_FILE_BYTES:
        yield Skipped(where, f"file too large ({size // 2**20} MB; limit {MAX_FILE_BYTES // 2**20} MB): split it or use JSONL")
        return
    try:
        if ext in JSONL_EXT | CSV_EXT:
            with path.open("rb") as raw:
                fh = _stream_text(raw, where)  # type: ignore[arg-type]
                if isinstance(fh, Skipped):
                    yield fh
                    return
                if ext in JSONL_EXT:
                    yield from _read_jsonl_lines(fh, where)
                else:
                    yield from _read_csv(fh, where, "\t" if ext == ".tsv" else ",")
            return
        if ext in ZIP_EXT:
            yield from read_zip(path, where)
            return
        yield from read_bytes(path.read_bytes(), where)
    except OSError as exc:
        yield Skipped(where, f"cannot read ({exc.strerror or exc})")


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Skipped]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith("."):
                        continue
                    # every file is yielded: an unsupported one is reported as skipped, never dropped silently
                    yield Path(root) / f
        elif path.exists():
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """Articles and skips from files and folders (recursively), lazily, in a stable order."""
    for f in iter_files(paths):
        if isinstance(f, Skipped):
            yield f
        else:
            yield from read_path(f)
