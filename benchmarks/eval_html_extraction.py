"""Compare main-text extractors on the saved pages of tests/html_pages.py (the README's library choice).

Run: ``.venv/bin/python -m benchmarks.eval_html_extraction`` (jusText is optional: ``pip install justext``).
For each page: article paragraphs kept as blocks of their own, and boilerplate phrases leaked.
"""

from __future__ import annotations

from collections.abc import Callable

import lxml.html

from compare import extract
from tests.html_pages import PAGES

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure")
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td")


def trafilatura_blocks(html: str, name: str) -> list[str]:
    return extract(html.encode("utf-8"), name).text.split("\n\n")


def justext_blocks(html: str, name: str) -> list[str]:
    import justext

    return [p.text for p in justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
            if not p.is_boilerplate]


def lxml_blocks(html: str, name: str) -> list[str]:
    """A plain tag filter: drop page-furniture tags, keep the text blocks of <article>/<main>/<body>."""
    tree = lxml.html.document_fromstring(html)
    for element in tree.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    root = (tree.xpath("//article") or tree.xpath("//main") or tree.xpath("//body"))[0]
    blocks = []
    for element in root.iter(*_BLOCK_TAGS):
        text = " ".join(element.text_content().split())
        if text and not any(child.tag in _BLOCK_TAGS for child in element.iterdescendants()):
            blocks.append(text)
    return blocks


def main() -> None:
    extractors: dict[str, Callable[[str, str], list[str]]] = {
        "trafilatura": trafilatura_blocks, "justext": justext_blocks, "lxml filter": lxml_blocks,
    }
    print("| extractor | page | paragraphs kept | boilerplate leaked |")
    print("|---|---|---|---|")
    for label, function in extractors.items():
        for page in PAGES:
            html = page.html.replace("windows-1252", "utf-8")
            try:
                blocks = function(html, page.name)
            except ImportError:
                print(f"| {label} | {page.name} | not installed | |")
                continue
            text = "\n".join(blocks)
            kept = sum(any(block.startswith(start) for block in blocks) for start in page.keep)
            leaked = [phrase for phrase in page.drop if phrase in text]
            print(f"| {label} | {page.name} | {kept}/{len(page.keep)} | {len(leaked)}/{len(page.drop)} "
                  f"{', '.join(leaked)} |")


if __name__ == "__main__":
    main()
