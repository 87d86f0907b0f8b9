"""Charts drawn with matplotlib (imported only when a chart is drawn), each with alt text."""

import base64
import io

# Okabe-Ito blue: distinguishable for common colour-vision differences; values are also
# printed on each bar, so nothing depends on colour.
BAR_COLOUR = "#0072B2"


def bar_chart(labels, values, top, title, xlabel=None, whole_numbers=False):
    """A horizontal bar chart of values from 0 to ``top`` (a matplotlib Figure); ``whole_numbers``
    for counts, so that the axis marks only whole numbers."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 0.6 * len(labels) + 1.2), dpi=100)
    axes = figure.subplots()
    positions = range(len(labels))
    axes.barh(positions, values, color=BAR_COLOUR, edgecolor="black", hatch="//")
    axes.set_yticks(list(positions), labels=labels, fontsize=11)
    axes.invert_yaxis()
    axes.set_xlim(0, top)
    if whole_numbers:
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel or f"Average (1 to {top})", fontsize=11)
    axes.set_title(title, fontsize=12)
    for position, value in zip(positions, values):
        axes.text(min(value + 0.05, top - 0.05), position, f"{value:g}" if xlabel else f"{value:.1f}", va="center",
                  ha="left" if value + 0.6 < top else "right", fontsize=11,
                  color="black", backgroundcolor="white")
    figure.tight_layout()
    return figure


def bar_chart_png(labels, values, top, title, xlabel=None, whole_numbers=False):
    """The bar chart as PNG bytes."""
    buffer = io.BytesIO()
    bar_chart(labels, values, top, title, xlabel, whole_numbers).savefig(buffer, format="png")
    return buffer.getvalue()


def png_data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
