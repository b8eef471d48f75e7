"""The review as one page to share: HTML with its style inline and its charts as SVG.

The page is drawn from the same :class:`Review` and the same :func:`blocks` as the
terminal view and the Markdown report, so it shows the same figures; a few blocks get
charts of their own (headline trends, the five rules, troll topics, the reasons deals
were lost and won, knowing against perceiving each client). Every chart has a table of
its numbers beside it, and one that has nothing to draw says so instead of vanishing.

Nothing on the page is fetched: no script, no font, no image, no link out. A Content
Security Policy says so to the browser too, in case a future edit forgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from clientcoach import __version__
from clientcoach.i18n import _, language
from clientcoach.insights.review import Count, Headline, Review
from clientcoach.ui import charts
from clientcoach.ui.escape import html as esc
from clientcoach.ui.messages import joined
from clientcoach.ui.review import (
    Block,
    Grid,
    _counts,
    _figure,
    _rule_names,
    area_names,
    blocks,
    compared_line,
    empty_message,
    focus_evidence,
    focus_text,
    focus_title,
    headline_labels,
    month_name,
    title_line,
)

if TYPE_CHECKING:
    from clientcoach.storage.store import Damaged

# Charts of clients beyond this many would be too tall to read; their table has them all.
MAX_CLIENTS = 20
RATING_TOP = 5

_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f2937;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em;
  border-bottom: 2px solid #e5e7eb; break-after: avoid; }
h3 { font-size: 1em; margin: 0 0 0.3em; }
p.sub, .note, figcaption { color: #4b5563; }
.note { font-size: 0.9em; font-style: italic; }
ol.focus li { margin: 0.4em 0; }
ol.focus .evidence { display: block; color: #4b5563; font-size: 0.9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr));
  gap: 12px; }
.card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px;
  break-inside: avoid; page-break-inside: avoid; }
.card .value { font-size: 1.5em; font-weight: 600; }
.card .previous { color: #4b5563; font-size: 0.9em; margin-left: 0.4em; }
figure { margin: 0.8em 0; display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  gap: 16px; align-items: start; break-inside: avoid; page-break-inside: avoid; }
figure.wide { grid-template-columns: minmax(0, 1fr); }
figcaption { grid-column: 1 / -1; font-weight: 600; color: #1f2937; }
svg.chart { display: block; width: 100%; max-width: 600px; height: auto; font-family: inherit; }
svg.chart text { fill: #1f2937; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e5e7eb;
  vertical-align: top; }
thead th { border-bottom: 2px solid #d1d5db; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.months td:first-child { min-width: 12em; }
table.facts th { font-weight: normal; color: #374151; }
section.block { break-inside: auto; }
footer { margin: 2em 0 1em; color: #6b7280; font-size: 0.85em; }
@media (max-width: 700px) {
  body { font-size: 14px; }
  main { padding: 10px; }
  figure { grid-template-columns: minmax(0, 1fr); }
}
@media print {
  body { font-size: 10.5pt; background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure, .card, table, tr, svg { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, figcaption { break-after: avoid; page-break-after: avoid; }
  .scroll { overflow: visible; }
}
@page { margin: 14mm; }
"""


def short_month(month: int) -> str:
    """A month on a chart's axis, in the reader's language."""
    names = [
        _("Jan"),
        _("Feb"),
        _("Mar"),
        _("Apr"),
        _("May"),
        _("Jun"),
        _("Jul"),
        _("Aug"),
        _("Sep"),
        _("Oct"),
        _("Nov"),
        _("Dec"),
    ]
    return names[month - 1]


def no_data() -> str:
    return _("no data yet")


def page(review: Review, damaged: list[Damaged]) -> str:
    """The whole page, ready to be written to a file."""
    title = title_line(review)
    body = [f"<header><h1>{esc(title)}</h1>", f'<p class="sub">{esc(compared_line(review))}</p>']
    if review.empty:
        message, hint = empty_message(review)
        body += [f"<p>{esc(message)}</p>", f'<p class="note">{esc(hint)}</p>']
    body.append("</header>")
    body += _focus(review)
    extras: dict[str, Callable[[Review, Block], list[str]]] = {
        _("Healthy help"): _help_charts,
        _("Difficult moments (trolls)"): _troll_charts,
        _("Lost deals"): _deal_charts,
        _("Clients"): _client_charts,
    }
    drawn: set[str] = set()
    every = blocks(review)
    body += _headline(review, every[0].title)
    for block in every[1:]:
        extra = extras.get(block.title)
        charted: list[str] = []
        if extra is not None:
            drawn.add(block.title)
            charted = extra(review, block)
        body += _block(block, charted, skip_bars=block.title == _("Lost deals"))
    for name, extra in extras.items():
        if name not in drawn:  # a block renamed: its charts still show
            body += _block(Block(name), extra(review, Block(name)))
    if damaged:
        body += [f"<section><h2>{esc(_('Damaged files skipped'))}</h2><ul>"]
        body += [
            f"<li>{esc(_('{name}: {value}').format(name=str(d.path), value=d.reason))}</li>"
            for d in damaged
        ]
        body.append("</ul></section>")
    made = _("Made with coach review (clientcoach {version}) on {day}.").format(
        version=__version__, day=review.now.date().isoformat()
    )
    body.append(f"<footer>{esc(made)}</footer>")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(language())}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Belt and braces: whatever this page holds, the browser fetches nothing for it.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
        " style-src 'unsafe-inline'; img-src data:\">",
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body><main>",
    ]
    return "\n".join([*head, *body, "</main></body>", "</html>", ""])


# --- pieces ---------------------------------------------------------------------------


def _focus(review: Review) -> list[str]:
    out = [f"<section><h2>{esc(focus_title(review))}</h2>"]
    if not review.focus:
        out.append(f'<p class="note">{esc(_("No focus point for this period."))}</p>')
    else:
        out.append('<ol class="focus">')
        for point in review.focus:
            out.append(
                f"<li>{esc(focus_text(point, review))}"
                f'<span class="evidence">{esc(focus_evidence(point, review))}</span></li>'
            )
        out.append("</ol>")
    out.append("</section>")
    return out


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int], kind: str = ""
) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        kind = ' class="num"' if index in numeric else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{kind}{scope}>{esc(text)}</{tag}>"

    head = "".join(cell("th", i, c) for i, c in enumerate(columns))
    lines = ["".join(cell("td", i, c) for i, c in enumerate(row)) for row in rows]
    body = "".join(f"<tr>{line}</tr>" for line in lines)
    name = f' class="{kind}"' if kind else ""
    table = f"<table{name}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(label)}</th><td>{esc(value)}</td></tr>' for label, value in facts
    )
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _figure_html(caption: str, svg: str, table: str, wide: bool = False) -> str:
    kind = ' class="wide"' if wide or not table else ""
    return f"<figure{kind}><figcaption>{esc(caption)}</figcaption>{svg}{table}</figure>"


def _bars_figure(title: str, rows: list[tuple[str, int]]) -> str:
    """Counts as bars, with their table; an empty list says there is no data yet."""
    if not rows:
        return _figure_html(title, charts.no_data(title, no_data()), "")
    shown = [str(n) for _label, n in rows]
    table = _table([_("value"), _("count")], [[label, str(n)] for label, n in rows], {1})
    return _figure_html(title, charts.bars(title, rows, shown), table)


def _block(block: Block, charted: list[str], skip_bars: bool = False) -> list[str]:
    out = [f'<section class="block" id="{esc(_anchor(block.title))}"><h2>{esc(block.title)}</h2>']
    out += charted
    if block.facts:
        out.append(_facts(block.facts))
    drawn = [] if skip_bars else [(block.bars_title, block.bars)]
    for title, bars in [*drawn, *block.more_bars]:
        if bars:
            out.append(_bars_figure(title or block.title, bars))
    if block.grid is not None:
        out.append(_grid(block.grid))
    if block.note:
        out.append(f'<p class="note">{esc(block.note)}</p>')
    out.append("</section>")
    return out


def _anchor(title: str) -> str:
    """A section's id, so a link can point at it (``review.html#healthy-help``)."""
    from clientcoach.core.text import slug

    return slug(title)


def _grid(grid: Grid) -> str:
    return _table(grid.columns, grid.rows, grid.numeric)


# --- the headline figures and their trends --------------------------------------------


def _scale(h: Headline) -> list[tuple[float, str]]:
    """The horizontal lines of a trend chart: a rate goes from 0 to 100%, the energy
    from -2 to +2, a count from 0 to a round number at or above its highest month."""
    if h.kind == "rate":
        return [
            (0.0, _figure(0.0, "rate")),
            (0.5, _figure(0.5, "rate")),
            (1.0, _figure(1.0, "rate")),
        ]
    known = [float(v) for v in h.series if v is not None]
    if h.kind == "mean":
        low = min([-2.0, *known]) if h.id == "energy" else min([0.0, *known])
        high = max([2.0 if h.id == "energy" else 1.0, *known])
        signed = h.id == "energy"
        return [(low, _figure(low, "mean", signed)), (high, _figure(high, "mean", signed))]
    top = _round_up(max([1.0, *known]))
    middle = [(top / 2, str(int(top // 2)))] if top >= 2 and top % 2 == 0 else []
    return [(0.0, "0"), *middle, (top, str(int(top)))]


def _round_up(value: float) -> float:
    """The smallest round whole number at or above ``value`` (1, 2, 3, 4, 5, 6, 8, 10,
    15, 20, 25, 30...), so a chart's scale is never more than half empty."""
    step = 1.0
    while True:
        for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            top = step * factor
            if top >= value and top == int(top):
                return top
        step *= 10


def _axis(review: Review) -> tuple[list[str], list[str]]:
    """The trend months as an axis shows them, and as a table or a tooltip names them."""
    pairs = [(int(m[:4]), int(m[5:7])) for m in review.months]
    return [short_month(m) for _y, m in pairs], [month_name(y, m) for y, m in pairs]


def _headline(review: Review, title: str) -> list[str]:
    labels = headline_labels()
    axis, names = _axis(review)
    span = _("{first} to {last}").format(first=names[0], last=names[-1])
    out = [f"<section><h2>{esc(title)}</h2>", f'<p class="sub">{esc(span)}</p>']
    out.append('<div class="cards">')
    for h in review.headline:
        label = labels.get(h.id, h.id)
        signed = h.id == "energy"
        shown = [_figure(v, h.kind, signed) for v in h.series]
        chart_title = _("{figure}, month by month").format(figure=label)
        if all(v is None for v in h.series):
            chart = charts.no_data(chart_title, no_data(), width=320)
        else:
            desc = joined(
                _("{name}: {value}").format(name=n, value=s)
                for n, s in zip(names, shown, strict=True)
            )
            series = [(label, [None if v is None else float(v) for v in h.series])]
            chart = charts.lines(chart_title, axis, series, [shown], _scale(h), desc=desc)
        previous = _("previous: {value}").format(value=_figure(h.previous, h.kind, signed))
        out.append(
            f'<div class="card"><h3>{esc(label)}</h3>'
            f'<p><span class="value">{esc(_figure(h.value, h.kind, signed))}</span>'
            f'<span class="previous">{esc(previous)}</span></p>{chart}</div>'
        )
    out.append("</div>")
    # Twelve months across: each named short, so the table stays readable on a page.
    pairs = [(int(m[:4]), int(m[5:7])) for m in review.months]
    short = [_("{month} {year}").format(month=short_month(m), year=y) for y, m in pairs]
    columns = [_("figure"), _("this period"), _("previous"), *short]
    rows = [
        [
            labels.get(h.id, h.id),
            _figure(h.value, h.kind, h.id == "energy"),
            _figure(h.previous, h.kind, h.id == "energy"),
            *(_figure(v, h.kind, h.id == "energy") for v in h.series),
        ]
        for h in review.headline
    ]
    out.append(_table(columns, rows, set(range(1, len(columns))), "months"))
    out.append("</section>")
    return out


# --- the charts of a block ------------------------------------------------------------


def _help_charts(review: Review, _block: Block) -> list[str]:
    title = _("The five rules of healthy help: checked and failed")
    rules = review.help.rules
    if not rules:
        return [_figure_html(title, charts.no_data(title, no_data()), "")]
    names = _rule_names()
    categories = [names.get(r.rule, r.prompt or r.rule) for r in rules]
    series = [
        (_("checked"), [float(r.checked) for r in rules]),
        (_("failed"), [float(r.failed) for r in rules]),
    ]
    shown = [[str(r.checked) for r in rules], [str(r.failed) for r in rules]]
    # The block's own table, right below, gives the same numbers with each question.
    return [_figure_html(title, charts.grouped(title, categories, series, shown), "")]


def _troll_charts(review: Review, block: Block) -> list[str]:
    # The block draws its topics when it has some; with none, the chart's place stays.
    if block.bars:
        return []
    return [_bars_figure(block.bars_title or _("Top topics"), [])]


def _deal_charts(review: Review, _block: Block) -> list[str]:
    lost = review.lost_deals
    areas = {**review.labels.get("believed_reason", {}), **area_names()}
    title = _("Deals lost and won, by area")
    lost_by = {c.value: c.count for c in lost.categories}
    won_by = {c.value: c.count for c in lost.win_areas}
    keys = list(dict.fromkeys([*lost_by, *won_by]))
    if keys:
        categories = [areas.get(k, k) for k in keys]
        series = [
            (_("main reason for a loss"), [float(lost_by.get(k, 0)) for k in keys]),
            (_("reason for a win"), [float(won_by.get(k, 0)) for k in keys]),
        ]
        shown = [[str(lost_by.get(k, 0)) for k in keys], [str(won_by.get(k, 0)) for k in keys]]
        table = _table(
            [_("area"), _("lost"), _("won")],
            [[c, s, w] for c, s, w in zip(categories, shown[0], shown[1], strict=True)],
            {1, 2},
        )
        first = _figure_html(title, charts.grouped(title, categories, series, shown), table)
    else:
        first = _figure_html(title, charts.no_data(title, no_data()), "")
    return [
        first,
        _bars_figure(_("Why deals were lost"), _labelled(lost.reasons, review, "loss_reason")),
        _bars_figure(_("Why deals were won"), _labelled(lost.win_reasons, review, "win_reason")),
    ]


def _labelled(counts: list[Count], review: Review, role: str) -> list[tuple[str, int]]:
    return _counts(counts, review.labels.get(role, {}))


def _client_charts(review: Review, _block: Block) -> list[str]:
    title = _("Knowledge and perception, by client (1 to 5)")
    known = [
        c for c in review.clients_detail if c.knowledge is not None or c.perception is not None
    ]
    out: list[str] = []
    if known:
        shown_clients = known[:MAX_CLIENTS]
        categories = [c.client + (" !" if c.gap_flagged else "") for c in shown_clients]
        series = [
            (_("knowledge"), [c.knowledge for c in shown_clients]),
            (_("perception"), [c.perception for c in shown_clients]),
        ]
        shown = [
            [_figure(c.knowledge, "mean") for c in shown_clients],
            [_figure(c.perception, "mean") for c in shown_clients],
        ]
        svg = charts.grouped(title, categories, series, shown, maximum=RATING_TOP)
        # The block's own table beside it lists every client, with the gap.
        out.append(_figure_html(title, svg, "", wide=True))
    else:
        out.append(_figure_html(title, charts.no_data(title, no_data()), ""))
    u = review.understanding
    trend = _("Knowledge and perception, month by month")
    axis, names = _axis(review)
    if any(v is not None for v in [*u.knowledge_series, *u.perception_series]):
        series = [(_("knowledge"), u.knowledge_series), (_("perception"), u.perception_series)]
        shown = [[_figure(v, "mean") for v in s] for _n, s in series]
        ticks = [(float(n), str(n)) for n in (1, 3, 5)]
        svg = charts.lines(trend, axis, series, shown, ticks, width=480, height=180)
        table = _table(
            [_("month"), _("knowledge"), _("perception")],
            [[n, k, p] for n, k, p in zip(names, shown[0], shown[1], strict=True)],
            {1, 2},
        )
        out.append(_figure_html(trend, svg, table))
    else:
        out.append(_figure_html(trend, charts.no_data(trend, no_data()), ""))
    return out
