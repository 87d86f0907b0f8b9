"""Combined pulse results as CSV and charts (built only from published batches)."""

import csv
import io

from ..charts import bar_chart_png

CSV_COLUMNS = ("workshop", "item_number", "item_id", "item", "question", "option_number", "option",
               "people", "people_in_results", "answers_received")


def people(count):
    return f"{count} {'person' if count == 1 else 'people'}"


def item_chart_png(item, published):
    """A bar chart of one item: people per answer, from 0 to the number in the results."""
    return bar_chart_png(item.options, item.counts, max(published, 1), f"{item.label} ({people(published)})",
                         xlabel="Number of people")


def results_csv(results):
    """Combined counts per item and option (a word item: per word shown) as CSV text; only the
    header below the threshold."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    if results.shown:
        for number, item in enumerate(results.items, start=1):
            if item.kind == "word":  # only words given by at least the threshold, and not hidden
                rows = [("", w.word, w.people) for w in item.words if not w.hidden]
            else:
                rows = [(n, option, count) for n, (option, count) in enumerate(zip(item.options, item.counts), 1)]
            for option_number, option, count in rows:
                writer.writerow((results.code, number, item.id, item.label, item.prompt, option_number, option,
                                 count, results.published, results.responses))
    return buffer.getvalue()


def results_png(results):
    """Every choice item's chart, one under another, as one PNG (for slides and reports)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import numpy as np

    item_pngs = [item_chart_png(item, results.published) for item in results.items if item.kind == "choice"]
    images = [mpimg.imread(io.BytesIO(png), format="png") for png in item_pngs]
    width = max(image.shape[1] for image in images)
    padded = [np.pad(image, ((0, 0), (0, width - image.shape[1]), (0, 0)), constant_values=1.0)
              for image in images]
    buffer = io.BytesIO()
    mpimg.imsave(buffer, np.vstack(padded), format="png")
    return buffer.getvalue()
