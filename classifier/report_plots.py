"""The report's plots, drawn from the computed figures (never from raw scores) with matplotlib.

Figures are built with the object API (no pyplot, so no GUI backend and no global figure
state) and returned as ``data:`` URIs of SVG for an ``<img>``: crisp at any zoom, and each
image is its own document, so the ids matplotlib writes cannot collide across plots and nothing
in them can run.  matplotlib is an optional dependency and is imported only here, on use.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_COLOURS = ("#1f5fa8", "#d9822b", "#3a9a5b", "#8a4fb0", "#b03a48", "#5b6770")


def available() -> bool:
    """Whether plots can be drawn (the ``ml`` extra installs matplotlib)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _style() -> Iterator[None]:
    """Small type, and text drawn as paths so the SVG needs no fonts."""
    import matplotlib

    with matplotlib.rc_context({"font.size": 8, "svg.fonttype": "path"}):
        yield


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def calibration_image(entry: Mapping[str, Any], names: Sequence[str]) -> str:
    """Observed positive rate against mean score per bin, one line per scorer."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(3.6, 3.2))
        axes = figure.add_subplot()
        axes.plot([0, 1], [0, 1], linestyle=":", color="#999999", label="calibrated")
        for colour, name in zip(_COLOURS, names, strict=False):
            bins = [b for b in entry["scorers"][name]["calibration"] if b["n"]]
            axes.plot(
                [b["mean_score"] for b in bins],
                [b["positive_rate"] for b in bins],
                marker="o",
                markersize=3,
                color=colour,
                label=name,
            )
        axes.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean score in bin", ylabel="share positive")
        axes.legend(loc="lower right", frameon=False)
        return _data_uri(figure)


def histogram_image(
    entry: Mapping[str, Any],
    names: Sequence[str],
    thresholds: Mapping[str, Mapping[str, float]],
) -> str:
    """Score distributions of positive and negative rows (as shares of each class, since
    prevalence differs wildly by source), one panel per scorer, its thresholds as lines."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(2.8 * len(names) + 0.4, 2.6))
        axes_list = figure.subplots(1, len(names), sharey=True, squeeze=False)[0]
        for axes, name in zip(axes_list, names, strict=True):
            counts = entry["scorers"][name]["histogram"]
            edges = counts["edges"]
            for label, colour in (("negative", "#1f5fa8"), ("positive", "#b03a48")):
                total = sum(counts[label]) or 1
                axes.stairs([c / total for c in counts[label]], edges, color=colour, label=label)
            for value in thresholds.get(name, {}).values():
                axes.axvline(value, color="#333333", linestyle="--", linewidth=0.8)
            axes.set(xlim=(0, 1), xlabel="score", title=name)
        axes_list[0].set_ylabel("share of class")
        axes_list[0].legend(loc="upper center", frameon=False)
        return _data_uri(figure)
