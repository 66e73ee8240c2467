"""Item 13 of issue 11: every figure the documentation quotes comes from the tool."""

from __future__ import annotations

from pathlib import Path

from estates.io import docs_figures


def test_readme_and_demo_readme_quote_what_the_tool_computes() -> None:
    texts = docs_figures.demo_blocks()
    stale = docs_figures.sync(texts, write=False)
    assert stale == [], "run `make docs`: " + "; ".join(stale)
    for path in docs_figures.FILES:  # every file carries its block, so none can go unchecked
        assert "<!-- figures:" in path.read_text(encoding="utf-8"), path


def test_a_figure_written_by_hand_is_caught(tmp_path: Path) -> None:
    summary = docs_figures.demo_summary()
    texts = docs_figures.blocks(summary)
    doc = tmp_path / "README.md"
    doc.write_text("<!-- figures:readme-demo -->\n" + texts["readme-demo"].replace(
        f"{summary['misplaced_capacity']:,.0f}", "29,555") + "<!-- /figures -->\n")
    assert docs_figures.sync(texts, (doc,), write=False)
    docs_figures.sync(texts, (doc,), write=True)
    assert docs_figures.sync(texts, (doc,), write=False) == []
