"""Templating for the folium maps: compiled-once shared templates, the legend element, stable
element ids (so a page is the same every run) and the map as one HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import branca.element
import folium
import folium.features
import folium.template
import jinja2
from branca.element import MacroElement
from jinja2 import Template

from estates.report.figures import esc


class SharedTemplate(jinja2.Template):
    """A jinja template compiled once per source text and then shared.

    folium and branca compile a template for every element they create while a map renders
    (script and style links, tooltips, popups): some 80 compilations, about 0.1-0.2 s of every
    map the dashboard draws, for a handful of distinct texts. jinja caches only templates
    from a loader, not ``Template(text)``, hence this memo. A compiled template holds no
    render state, so sharing one is safe.
    """

    #: (class, source text) -> compiled template; bounded, in case a source carries data.
    _compiled: ClassVar[dict[tuple[type, str], jinja2.Template]] = {}
    MAX_SHARED: ClassVar[int] = 512

    def __new__(cls, source: Any, **options: Any) -> Any:
        if options or not isinstance(source, str):
            return super().__new__(cls, source, **options)
        memo = SharedTemplate._compiled
        found = memo.get((cls, source))
        if found is None:
            if len(memo) >= cls.MAX_SHARED:
                memo.clear()
            found = memo[(cls, source)] = super().__new__(cls, source)
        return found


class SharedFoliumTemplate(SharedTemplate, folium.template.Template):
    """``SharedTemplate`` in folium's jinja environment (which adds its ``tojavascript``)."""


def share_folium_templates() -> None:
    """Make branca's and folium's run-time ``Template(text)`` calls compile each text once.

    Only the two modules that compile templates while rendering are pointed at the memo
    (class templates are compiled once at import anyway), each keeping its own environment.
    Idempotent.
    """
    branca.element.Template = SharedTemplate  # type: ignore[misc,assignment]
    folium.features.Template = SharedFoliumTemplate  # type: ignore[misc,assignment]


share_folium_templates()



class Legend(MacroElement):
    """A Leaflet control holding a legend; the HTML is built and escaped in Python."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create('div', 'estates-legend');
            div.style.cssText = 'background:white;padding:6px 8px;border-radius:4px;'
                + 'box-shadow:0 0 4px rgba(0,0,0,0.3);font:12px sans-serif;line-height:18px';
            div.innerHTML = {{ this.content|tojson }};
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.position = position


class SmallMarkersOnTop(MacroElement):
    """Stacks the map's circle markers largest first, so a small marker is never hidden under
    a larger one (a retirement village beside a big surgery stays clickable), whichever layer
    each belongs to; candidate buildings stay under them all. Re-stacks when layers are
    added (the dashboard swaps some in)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var pending = null;
            function stack() {
                pending = null;
                var markers = [];
                map.eachLayer(function (l) {
                    // Candidate buildings stay beneath (drawn first, never raised), so a
                    // library never covers a surgery or a housing site.
                    if (l instanceof L.CircleMarker && !(l instanceof L.Circle) && l._path
                            && !(l.feature && 'candidate_id' in l.feature.properties)) {
                        markers.push(l);
                    }
                });
                markers.sort(function (a, b) { return b.getRadius() - a.getRadius(); });
                markers.forEach(function (l) { l.bringToFront(); });
            }
            map.on('layeradd', function () {
                if (pending === null) { pending = setTimeout(stack, 0); }
            });
            stack();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SmallMarkersOnTop"


def legend_html(title: str, items: Sequence[tuple[str, str]]) -> str:
    """Escaped legend HTML: a title then one swatch per (colour, label)."""
    # An item without a colour is a note (how to read the colours), set in italics.
    rows = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;margin-right:6px;"
        f"background:{esc(colour)};border:1px solid #555'></span>{esc(label)}</div>"
        if colour else f"<div style='font-style:italic;max-width:16em'>{esc(label)}</div>"
        for colour, label in items
    )
    return f"<b>{esc(title)}</b>{rows}"




def stable_ids(m: Any, *, first: int = 0) -> Any:
    """Number the map's elements in order instead of folium's random ids; returns ``m``.

    ``first`` is the root's number (its children count on from it): a FeatureGroup drawn into
    a map later takes a range of its own so that its ids never meet the map's.

    Ids keep folium's form (32 characters) so that anything matching them still does.

    The same map then renders to the same HTML every time: the dashboard's map component
    sees an unchanged script and does not redraw, and saved maps are reproducible.
    Children are keyed by name in their parent, so each parent's mapping is rebuilt.
    """
    count = first

    def visit(element: Any) -> None:
        nonlocal count
        children = list(element._children.values())
        for child in children:
            count += 1
            child._id = f"{count:032d}"
            visit(child)
        element._children.clear()
        element._children.update((child.get_name(), child) for child in children)

    m._id = f"{first:032d}"
    visit(m)
    return m


def map_html(m: folium.Map) -> str:
    """The map as a standalone HTML page with Leaflet embedded (see ``assets.standalone_html``)."""
    from estates.report.assets import standalone_html

    # The page root (branca's Figure, with its header, html and script elements) holds the map;
    # numbering it too makes the whole page the same on every run.
    stable_ids(m.get_root())
    return standalone_html(m)
