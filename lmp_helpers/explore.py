"""«Utforsk»: an ipywidgets explorer over the same helpers the book uses.

Every number shown comes from `tables.figure_table` / `tables.distribution_table` (with their suppression),
every figure from `figures` (`plot_figure`, `plot_distribution`, `plot_pulje_comparison`), every quote
from `data.load_quotes`: the explorer only selects rows and lays them out, so it can never show what the
book or `lmp tables` would hide.

Testable without a browser: setting a control's `.value` in Python recomputes synchronously, and the
current state is kept as attributes (`table`, `png`, `quotes`, `notes`) and rendered into
`ipywidgets.Output` areas by assigning output dicts (no kernel needed for that).

The notebook's one call, `explorer(...)`, returns the live `Explorer` when the kernel was started by a
Jupyter server (JupyterLab via `make lab`); its mime bundle is the widget view plus a static HTML fallback.
Anywhere else (papermill building the book, nbval) it returns a `StaticView`: the default state as plain
outputs (the book's banner, one line on how to open it live, the figure as PNG, the table as HTML), and no
widgets, so no widget state or widget JavaScript ends up in the static site.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lmp_helpers.codebook import load_codebook
from lmp_helpers.errors import LmpError, LmpInputError
from lmp_helpers.paths import PROJECT_ROOT, SYNTHETIC_DIR
from lmp_helpers.pulje import parse_pulje, pulje_label, pulje_slug
from lmp_helpers.suppression import DEFAULT_MIN_N

DEFAULT_FIGURE = "fig2_1"
# Exports go to a folder at the project root (git-ignored): tables of real data must not land in git.
DEFAULT_EXPORT_DIR = PROJECT_ROOT / "eksport"
LIVE_HINT_MD = (
    "Dette er en statisk visning av standardvalget. Åpne utforskeren interaktivt med `make lab` og kjør "
    "`notebooks/utforsk.ipynb` for å velge pulje, grupper, figur, spørsmål og min_n selv."
)
LIVE_HINT = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(LIVE_HINT_MD))
ALL = ""  # value of the «all items» choice in the item dropdown
# What the figure shows: the report's figure, every item on all five answers, or PPT's puljer side by side.
VIEWS = [
    ("Figuren i rapporten", "andel"),
    ("Fordeling på alle fem svaralternativer", "fordeling"),
    ("Puljene side om side (PPT, med test)", "pulje"),
]


# -- small pure helpers -----------------------------------------------------------------
def figure_choices() -> list[tuple[str, str]]:
    """(label, key) for the figure dropdown: Tabell 1 and the report's figures, in report order."""
    from lmp_helpers.tables import FIGURES

    cb = load_codebook()
    choices = []
    for key in FIGURES:
        if key == "tabell1":
            choices.append(("Tabell 1: Intervjuer i casekommunene", key))
        else:
            fig = cb.figure(key)
            choices.append((f"Figur {fig.number}: {_shorten(fig.title, 70)}", key))
    return choices


def figure_chapter(figure: str) -> str:
    """The report chapter number of a figure («2» for Figur 2.1), as in the `chapter` column of
    data/quotes.csv. Tabell 1 is in chapter 1 (Introduksjon), section 1.2 Datagrunnlag."""
    if figure == "tabell1":
        return "1"
    return str(load_codebook().figure(figure).number).split(".")[0]


def figure_heading(figure: str) -> str:
    if figure == "tabell1":
        return "Tabell 1. Antall intervjuer i casekommunene, etter aktør"
    fig = load_codebook().figure(figure)
    return f"Figur {fig.number}. {fig.title}"


def table_caption(figure: str) -> str:
    """The line above the shown table (a paragraph, not a heading: it must not enter the book's contents)."""
    if figure == "tabell1":
        return figure_heading(figure)
    fig = load_codebook().figure(figure)
    return f"Tallene bak figur {fig.number} (prosent; «:» = prikket)"


def resolve_dir(text) -> Path | None:
    """A typed data directory: empty → None (the synthetic default). Relative paths are tried against the
    working directory first, then the project root (a notebook runs in notebooks/, people type data/...)."""
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    for base in (Path.cwd(), PROJECT_ROOT):
        if (base / path).is_dir():
            return (base / path).resolve()
    return PROJECT_ROOT / path  # does not exist: the loader names it in its error


def select_rows(table: pd.DataFrame, groups=None, item: str = ALL) -> pd.DataFrame:
    """The rows of a `figure_table` for the chosen groups and item; values untouched, order kept."""
    keep = pd.Series(True, index=table.index)
    if groups is not None and table["figure"].ne("tabell1").all():
        keep &= table["group"].isin(list(groups))
    if item:
        keep &= table["item"] == item
    out = table[keep].reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


def matching_quotes(quotes: pd.DataFrame, figure: str, pulje) -> pd.DataFrame:
    """Quotes of the figure's chapter. For one pulje: quotes whose source names another pulje are left out;
    quotes whose pulje is unknown (open survey answers are anonymous) are kept and marked as such."""
    from lmp_helpers.data import quotes_for_pulje

    return quotes_for_pulje(quotes[quotes["chapter"] == figure_chapter(figure)], pulje).reset_index(drop=True)


def quote_source(row) -> str:
    """The book's label (`book.quote_source_text`: «PPT-leder (case I, pulje 2)», «PPT (kilde ikke oppgitt i
    rapporten)»), plus «pulje ikke oppgitt» when the quote has no known pulje (the explorer filters by pulje)."""
    from lmp_helpers.book import quote_source_text

    label = quote_source_text(row)
    pulje = row.get("pulje")
    return f"{label} – pulje ikke oppgitt" if pulje is None or pd.isna(pulje) else label


def export_stem(figure: str, pulje, groups=None, item: str = ALL, min_n: int = DEFAULT_MIN_N) -> str:
    """File name (without suffix) that says what was exported: fig2_1_pulje-alle[_ppt-skoleeier][_item]."""
    cb = load_codebook()
    stem = f"{figure}_{pulje_slug(pulje)}"
    if figure != "tabell1":
        fig_groups = list(cb.figure(figure).groups)
        if groups is not None and list(groups) != fig_groups:
            stem += "_" + "-".join(groups)
    if item:
        stem += f"_{item}"
    if min_n != DEFAULT_MIN_N:
        stem += f"_min-n-{min_n}"
    return stem


def table_csv(table: pd.DataFrame) -> str:
    """CSV text of a table, formatted exactly as `lmp tables` writes it."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format="%.1f", lineterminator="\n")
    return buf.getvalue()


def write_export(out_dir, stem: str, csv_text: str, png: bytes | None) -> list[Path]:
    """Write `<stem>.csv` (and `<stem>.png`) into out_dir atomically: both files are written to temp files
    in out_dir first and only then renamed into place, so a failure leaves no partial or half-pair files."""
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise LmpInputError(f"eksportmappen {out} finnes og er ikke en mappe; oppgi en mappe")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LmpInputError(f"kan ikke lage eksportmappen {out}: {exc.strerror}") from None
    payloads = [(out / f"{stem}.csv", csv_text.encode("utf-8"))]
    if png is not None:
        payloads.append((out / f"{stem}.png", png))
    temps: list[tuple[str, Path]] = []
    replaced: list[Path] = []
    # Files are small: keep earlier exports of the same name in memory so a failed pair can be restored.
    previous = {target: target.read_bytes() if target.is_file() else None for target, _ in payloads}
    try:
        for target, data in payloads:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for tmp, target in temps:
            os.replace(tmp, target)
            replaced.append(target)
    except OSError as exc:
        for target in replaced:  # undo the half of the pair that was already renamed into place
            if previous[target] is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous[target])
        raise LmpInputError(f"kunne ikke skrive til eksportmappen {out}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
    return [target for target, _ in payloads]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _html_output(text_html: str, plain: str) -> dict:
    return {"output_type": "display_data", "data": {"text/html": text_html, "text/plain": plain}, "metadata": {}}


def _png_output(png: bytes, alt: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
        "metadata": {},
    }


# -- the computation, without widgets ------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """What the reader chose. `groups=None` means every group of the figure; `item=""` every item."""

    figure: str = DEFAULT_FIGURE
    pulje: object = "alle"
    groups: tuple[str, ...] | None = None
    item: str = ALL
    min_n: object = DEFAULT_MIN_N
    show_ci: bool = True
    data_dir: Path | None = None
    view: str = "andel"  # one of VIEWS


@dataclass
class View:
    """Everything shown for one choice. `table` holds exactly the rows of `figure_table` that are shown."""

    choice: Choice
    table: pd.DataFrame | None = None
    full_table: pd.DataFrame | None = None
    display_frame: pd.DataFrame | None = None
    png: bytes | None = None
    heading: str = ""  # the figure's title, shown above it (the image has none)
    shown_view: str = "andel"  # the view actually drawn (a view that does not exist falls back to «andel»)
    quotes: pd.DataFrame | None = None
    source: dict | None = None
    groups: tuple[str, ...] | None = None  # the chosen groups that the figure has (None: Tabell 1)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


class Session:
    """Caches the loaded survey (per data directory, reloaded when a file changes) and the quotes."""

    def __init__(self):
        self._survey: dict = {}
        self._quotes = None

    def survey(self, data_dir: Path | None):
        from lmp_helpers.data import load_survey, resolve_data_dir

        path = resolve_data_dir(data_dir)
        files = sorted(p for p in path.glob("*") if p.is_file())
        key = (str(path.resolve()), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))
        if key not in self._survey:
            self._survey = {key: load_survey(path)}
        return self._survey[key]

    def quotes(self) -> pd.DataFrame:
        if self._quotes is None:
            from lmp_helpers.data import load_quotes

            self._quotes = load_quotes()
        return self._quotes


def compute_view(choice: Choice, session: Session | None = None) -> View:
    """The figure, table, quotes and notes for a choice. Never raises: problems become `error`/`notes`."""
    view = View(choice=choice)
    try:
        _compute(view, session or Session())
    except LmpError as exc:
        view.error = f"Kan ikke vise dette valget: {exc}"
    except Exception as exc:  # a traceback must never reach the reader; say what happened instead
        view.error = f"Uventet feil ({type(exc).__name__}): {exc}"
    return view


def _compute(view: View, session: Session) -> None:
    from lmp_helpers import tables
    from lmp_helpers.data import data_source

    cb = load_codebook()
    c = view.choice
    figure = tables.check_figure(c.figure)
    pulje = parse_pulje(c.pulje)
    if c.data_dir is None or Path(c.data_dir).is_dir():
        view.source = data_source(c.data_dir)
    # Quotes do not depend on the data directory: show them even if the survey cannot be read.
    try:
        view.quotes = matching_quotes(session.quotes(), figure, pulje)
    except LmpError as exc:
        view.notes.append(f"Sitatene kan ikke vises: {exc}")
    survey = None if figure == "tabell1" else session.survey(c.data_dir)
    full = tables.figure_table(figure, pulje=pulje, data_dir=c.data_dir, min_n=c.min_n, survey=survey)
    min_n = full.attrs.get("min_n", c.min_n)
    view.full_table = full
    view.notes.extend(full.attrs.get("notes", []))
    if figure == "tabell1":
        groups = None
    else:
        fig_groups = cb.figure(figure).groups
        groups = fig_groups if c.groups is None else tuple(g for g in fig_groups if g in c.groups)
        if not groups:
            view.notes.append("Ingen grupper er valgt: kryss av for minst én gruppe.")
    view.groups = groups
    table = select_rows(full, groups, c.item)
    view.table = table
    view.notes.extend(_choice_notes(table, groups, pulje, min_n))
    if figure == "tabell1":
        view.display_frame = tables.tabell1_frame(pulje) if len(table) else None
        return
    view.display_frame = tables.display_table(figure, pulje, min_n=min_n, table=table)
    from lmp_helpers.figures import png_bytes

    if c.view != "andel" and groups:
        fig = _other_view(view, figure, pulje, survey, min_n, groups)
        if fig is not None:
            view.png, view.heading, view.shown_view = png_bytes(fig), fig.lmp_heading, c.view
            return
    if len(table) and not table["suppressed"].all():
        fig = _plot(figure, pulje, c.data_dir, min_n, survey, groups, c.item, c.show_ci)
        view.png, view.heading = png_bytes(fig), fig.lmp_heading


def _other_view(view: View, figure, pulje, survey, min_n, groups):
    """The five-point distribution or the pulje comparison of the chosen figure (None, with a note, where
    that view does not exist). The shown table becomes the rows that figure draws (same suppression)."""
    from lmp_helpers import figures, tables

    cb = load_codebook()
    c = view.choice
    if cb.figure(figure).kind != "grouped_bars":
        view.notes.append(f"Figur {cb.figure(figure).number} viser allerede hele fordelingen; viser figuren i "
                          "rapporten.")
        return None
    if c.view == "fordeling":
        fig = figures.plot_distribution(figure, pulje, c.data_dir, min_n, survey, groups=groups,
                                        items=c.item or None)
        rows = pd.concat(fig.lmp_tables.values(), ignore_index=True)
        view.table = rows.assign(figure=figure)
        view.display_frame = pd.DataFrame({
            "Spørsmål": rows["item"].map(lambda k: cb.item(k).label),
            "Gruppe": rows["group"].map(lambda g: cb.group(g).label),
            "Svar": rows["label"],
            "n": rows["n"].map(tables.format_n),
            "Andel (%)": rows["share_pct"].map(tables.format_pct),
        })
        return fig
    if "ppt" not in groups:
        view.notes.append("Puljesammenligningen gjelder PPT: kryss av for PPT.")
        return None
    fig = figures.plot_pulje_comparison(c.data_dir, min_n, survey, figures=figure)
    rows = fig.lmp_tables[figure]
    view.table = rows
    view.notes.extend(fig.lmp_notes)
    frames = [tables.display_table(figure, p, min_n=min_n, table=rows[rows["pulje"] == p]).assign(
        Pulje=pulje_label(parse_pulje(p))) for p in dict.fromkeys(rows["pulje"])]
    view.display_frame = pd.concat(frames, ignore_index=True)
    return fig


def _choice_notes(table: pd.DataFrame, groups, pulje, min_n) -> list[str]:
    cb = load_codebook()
    notes = []
    where = pulje_label(pulje).lower()
    if table.empty:
        if (groups is None or groups) and not table.attrs.get("notes"):
            notes.append(f"Ingen tall for dette valget i {where}.")
        return notes
    for g in groups or ():
        rows = table[table["group"] == g]
        # n is blank for suppressed cells, so «no answers» means every n is a real 0.
        if len(rows) and rows["n"].fillna(-1).eq(0).all():
            notes.append(f"Ingen svar fra {cb.group(g).label.lower()} i {where} i denne datamappa.")
    hidden = int(table["suppressed"].sum())
    if hidden and hidden == len(table):
        notes.append(
            f"Alle {len(table)} tall i utvalget er prikket (:), fordi for få har svart (n under min_n = {min_n}) "
            "eller for å hindre tilbakeregning. Derfor vises ingen figur."
        )
    elif hidden:
        notes.append(
            f"{hidden} av {len(table)} tall er prikket (:) (n under min_n = {min_n}, eller vern mot tilbakeregning)."
        )
    return notes


def _plot(figure, pulje, data_dir, min_n, survey, groups, item, show_ci):
    """The figure for a choice: `figures.plot_figure` (the book's figure) for the chosen groups and item,
    so styling, numbers and suppression marks are exactly those of the book."""
    from lmp_helpers import figures

    return figures.plot_figure(figure, pulje, data_dir, min_n, survey, groups=groups, items=item or None,
                               show_ci=show_ci)


# -- HTML pieces ------------------------------------------------------------------------------------------
def notes_html(view: View) -> str:
    lines = []
    if view.error:
        lines.append(f"<div style='color:#8a1c1c;font-weight:bold'>{html.escape(view.error)}</div>")
    lines += [f"<div>{html.escape(n)}</div>" for n in view.notes]
    if not lines:
        return ""
    return (
        "<div class='lmp-note' style='border-left:4px solid #c98a00;padding:0.3em 0.8em;margin:0.4em 0;"
        "background:#fff8e6'>" + "".join(lines) + "</div>"
    )


def heading_html(view: View) -> str:
    """The figure's title above it: a paragraph, not a heading (it must not enter the book's contents)."""
    if view.png is None or not view.heading:
        return ""
    return f"<p style='font-weight:bold;margin:0.6em 0 0.2em'>{html.escape(view.heading)}</p>"


def source_html(view: View) -> str:
    if not view.source:
        return ""
    return (
        f"<div>Datagrunnlag: <b>{html.escape(view.source['label'])}</b> "
        f"(<code>{html.escape(view.source['path'])}</code>)</div>"
    )


def table_html(view: View) -> str:
    if view.display_frame is None:
        return ""
    shown = view.display_frame
    if not view.choice.show_ci:
        shown = shown[[c for c in shown.columns if "KI" not in c]]
    heading = f"<p style='font-weight:bold;margin:0.6em 0 0.2em'>{html.escape(table_caption(view.choice.figure))}</p>"
    return heading + shown.to_html(
        index=view.choice.figure == "tabell1", escape=True, classes="lmp-table", border=0, na_rep=":"
    )


def quotes_heading(view: View) -> str:
    """«Sitater fra rapporten (kapittel 2, pulje 3): 9» above the quotes."""
    if view.quotes is None:
        return ""
    chapter = figure_chapter(view.choice.figure)
    where = pulje_label(parse_pulje(view.choice.pulje)).lower()
    return (
        f"<p style='font-weight:bold;margin:0.8em 0 0.2em'>Sitater fra rapporten, kapittel {chapter} "
        f"({where}): {len(view.quotes)}</p>"
    )


def quotes_html(view: View) -> str:
    if view.quotes is None:
        return ""
    if view.quotes.empty:
        return "<p><i>Ingen sitater fra rapporten hører til dette valget.</i></p>"
    items = []
    for _, row in view.quotes.iterrows():
        items.append(
            "<blockquote style='margin:0.3em 0 0.6em 1em'>«"
            + html.escape(str(row["text"]))
            + f"»<br><small>– {html.escape(quote_source(row))}</small></blockquote>"
        )
    return "".join(items)


def static_html(view: View) -> str:
    """A view as plain HTML (figure as embedded PNG, table, notes) with the line on how to open it live."""
    parts = [f"<p class='lmp-live-hint'><em>{LIVE_HINT}</em></p>", source_html(view), notes_html(view)]
    if view.png is not None:
        b64 = base64.b64encode(view.png).decode("ascii")
        alt = html.escape(figure_heading(view.choice.figure))
        parts.append(heading_html(view))
        parts.append(f"<img src='data:image/png;base64,{b64}' alt='{alt}' style='max-width:100%'>")
    parts.append(table_html(view))
    return "<div class='lmp-explorer-static'>" + "".join(parts) + "</div>"


def _parse_start(pulje, min_n, figure) -> tuple[object, int, str, list[str]]:
    """Notebook parameters → valid start values plus notes for the invalid ones (never an exception)."""
    from lmp_helpers.suppression import check_min_n

    cb = load_codebook()
    notes = []
    try:
        pulje = parse_pulje(pulje)
    except LmpInputError as exc:
        notes.append(f"Parameteren pulje: {exc}. Viser alle puljer.")
        pulje = cb.pulje_all
    try:
        min_n = check_min_n(min_n)
    except LmpInputError as exc:
        notes.append(f"Parameteren min_n: {exc}. Bruker {DEFAULT_MIN_N}.")
        min_n = DEFAULT_MIN_N
    if figure not in [k for _, k in figure_choices()]:
        notes.append(f"Ukjent figur {figure!r}; viser {DEFAULT_FIGURE}.")
        figure = DEFAULT_FIGURE
    return pulje, min_n, figure, notes


# -- the widget explorer ------------------------------------------------------------------------------------
class Explorer:
    """Controls + outputs. Change any control (in the browser, or `.value` in Python) and the figure, table,
    quotes and notes are recomputed synchronously; `view` (and the shortcuts `table`, `png`, `notes`, ...)
    always hold what is shown."""

    def __init__(self, pulje="alle", data_dir=None, min_n=DEFAULT_MIN_N, figure=DEFAULT_FIGURE, out_dir=None):
        import ipywidgets as w

        cb = load_codebook()
        self._cb = cb
        self._session = Session()
        self._updating = False
        pulje, min_n, figure, self._start_notes = _parse_start(pulje, min_n, figure)
        self.view: View = View(choice=Choice())
        self.last_export: list[Path] = []

        style = {"description_width": "9em"}
        wide = w.Layout(width="46em")
        self.figure_w = w.Dropdown(
            options=figure_choices(), value=figure, description="Figur/tabell", style=style, layout=wide
        )
        self.item_w = w.Dropdown(options=[("Alle", ALL)], value=ALL, description="Spørsmål", style=style, layout=wide)
        self.pulje_w = w.ToggleButtons(
            options=[(f"Pulje {p}", p) for p in cb.pulje_values] + [(cb.pulje_all_label, cb.pulje_all)],
            value=pulje,
            description="Pulje",
            style={**style, "button_width": "7.5em"},
        )
        self.group_w = {
            key: w.Checkbox(value=True, description=g.label, indent=False, layout=w.Layout(width="10em"))
            for key, g in cb.groups.items()
        }
        self.min_n_w = w.IntText(
            value=min_n, description="Minste n (min_n)", style=style, layout=w.Layout(width="16em")
        )
        self.ci_w = w.Checkbox(value=True, description="Vis 95 % konfidensintervall (Wilson)", indent=False)
        self.view_w = w.Dropdown(options=VIEWS, value="andel", description="Visning", style=style, layout=wide)
        self.data_w = w.Text(
            value="" if data_dir is None else str(data_dir),
            placeholder=f"tom = syntetiske data ({SYNTHETIC_DIR.relative_to(PROJECT_ROOT)})",
            description="Datamappe",
            continuous_update=False,  # reload when the reader presses Enter or leaves the field
            style=style,
            layout=wide,
        )
        self.out_dir_w = w.Text(
            value=str(out_dir if out_dir is not None else DEFAULT_EXPORT_DIR),
            description="Eksportmappe",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self.export_button = w.Button(
            description="Eksporter", icon="download", tooltip="Skriv tabellen (CSV) og figuren (PNG) til eksportmappen"
        )
        self.source_html = w.HTML()
        self.note_html = w.HTML()
        self.export_html = w.HTML()
        self.figure_heading = w.HTML()
        self.figure_out = w.Output()
        self.table_out = w.Output()
        self.quotes_out = w.Output()
        self.quotes_heading = w.HTML()
        self.widget = w.VBox(
            [
                w.HTML("<h3 style='margin:0.2em 0'>Utforsk resultatene</h3>"),
                self.source_html,
                self.figure_w,
                self.view_w,
                self.item_w,
                self.pulje_w,
                w.HBox([w.Label("Grupper", layout=w.Layout(width="9em")), *self.group_w.values()]),
                w.HBox([self.min_n_w, self.ci_w]),
                self.data_w,
                self.note_html,
                self.figure_heading,
                self.figure_out,
                self.table_out,
                w.HBox([self.out_dir_w, self.export_button]),
                self.export_html,
                self.quotes_heading,
                self.quotes_out,
            ]
        )
        self._sync_choices()
        controls = [self.figure_w, self.view_w, self.item_w, self.pulje_w, self.min_n_w, self.ci_w, self.data_w]
        for ctl in [*controls, *self.group_w.values()]:
            ctl.observe(self._on_change, names="value")
        self.export_button.on_click(lambda _button: self.export())
        self.refresh()

    # -- the current choice and view ------------------------------------------------------------------------
    def choice(self) -> Choice:
        figure = self.figure_w.value
        return Choice(
            figure=figure,
            pulje=self.pulje_w.value,
            groups=None if figure == "tabell1" else tuple(g for g, box in self.group_w.items() if box.value),
            item=self.item_w.value,
            min_n=self.min_n_w.value,
            show_ci=self.ci_w.value,
            data_dir=resolve_dir(self.data_w.value),
            view=self.view_w.value,
        )

    table = property(lambda self: self.view.table, doc="rows of figure_table shown now")
    full_table = property(lambda self: self.view.full_table, doc="figure_table as returned, before the choice")
    display_frame = property(lambda self: self.view.display_frame, doc="the shown table, display-ready")
    png = property(lambda self: self.view.png, doc="PNG bytes of the shown figure (None: no figure)")
    quotes = property(lambda self: self.view.quotes, doc="quotes shown now")
    error = property(lambda self: self.view.error, doc="why nothing can be shown (None if fine)")
    notes = property(lambda self: self._start_notes + self.view.notes, doc="notes shown now")

    def _on_change(self, change) -> None:
        if self._updating:
            return
        if change["owner"] is self.figure_w:
            self._sync_choices()
        self.refresh()

    def _sync_choices(self) -> None:
        """Items and groups that exist for the chosen figure; the others are disabled."""
        self._updating = True
        try:
            figure = self.figure_w.value
            fig_groups: tuple[str, ...] = ()
            if figure == "tabell1":
                options = [("Alle aktører", ALL)]
            else:
                fig = self._cb.figure(figure)
                fig_groups = fig.groups
                if fig.kind == "distribution":
                    options = [("Alle svarkategorier", ALL)]
                else:
                    options = [("Alle spørsmål i figuren", ALL)] + [
                        (_shorten(self._cb.item(k).label, 80), k) for k in fig.items
                    ]
            self.item_w.options = options
            self.item_w.value = ALL
            self.item_w.disabled = len(options) == 1
            for key, box in self.group_w.items():
                box.disabled = key not in fig_groups
        finally:
            self._updating = False

    def refresh(self) -> None:
        """Recompute and redraw for the current controls. Never raises."""
        self.view = compute_view(self.choice(), self._session)
        self.export_html.value = ""
        self._render()

    def _render(self) -> None:
        view = self.view
        shown = View(**{**view.__dict__, "notes": self.notes})
        self.source_html.value = source_html(view)
        self.note_html.value = notes_html(shown)
        alt = figure_heading(view.choice.figure)
        self.figure_heading.value = heading_html(view)
        self.figure_out.outputs = (_png_output(view.png, alt),) if view.png is not None else ()
        tbl = table_html(view)
        self.table_out.outputs = (_html_output(tbl, "tabell"),) if tbl else ()
        self.quotes_heading.value = quotes_heading(view)
        quotes = quotes_html(view)
        self.quotes_out.outputs = (_html_output(quotes, "sitater"),) if quotes else ()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget, with the static HTML as fallback for renderers without a widget manager."""
        data = dict(self.widget._repr_mimebundle_() or {})
        data["text/html"] = static_html(View(**{**self.view.__dict__, "notes": self.notes}))
        data["text/plain"] = "Utforsk resultatene (interaktiv; åpne med `make lab`)"
        return data

    # -- export ----------------------------------------------------------------------------------------------
    def export(self) -> list[Path]:
        """Write the shown table (CSV, formatted as `lmp tables`) and figure (PNG) to the export folder.
        Never raises: the files written, or the problem, are shown under the button."""
        self.last_export = []
        view = self.view
        try:
            if view.table is None or view.error:
                raise LmpInputError("ingenting å eksportere; velg først en kombinasjon som kan vises")
            c = view.choice
            stem = export_stem(c.figure, parse_pulje(c.pulje), view.groups, c.item, view.full_table.attrs["min_n"])
            if view.shown_view != "andel":
                stem += f"_{view.shown_view}"
            out_dir = self.out_dir_w.value.strip() or str(DEFAULT_EXPORT_DIR)
            paths = write_export(out_dir, stem, table_csv(view.table), view.png)
        except LmpError as exc:
            self.export_html.value = f"<div style='color:#8a1c1c'>Eksport feilet: {html.escape(str(exc))}</div>"
            return []
        except Exception as exc:  # never a traceback in the view
            self.export_html.value = (
                f"<div style='color:#8a1c1c'>Eksport feilet ({type(exc).__name__}): {html.escape(str(exc))}</div>"
            )
            return []
        self.last_export = paths
        names = ", ".join(f"<code>{html.escape(str(p))}</code>" for p in paths)
        self.export_html.value = f"<div>Eksportert: {names}</div>"
        return paths


# -- static view (no widgets) -------------------------------------------------------------------------------
class StaticView:
    """The default state as plain outputs: one line on how to open it live, notes, the figure (PNG), the
    table (HTML). Used where no widget frontend is attached (papermill for the book, nbconvert)."""

    def __init__(self, pulje="alle", data_dir=None, min_n=DEFAULT_MIN_N, figure=DEFAULT_FIGURE):
        pulje, min_n, figure, start_notes = _parse_start(pulje, min_n, figure)
        self.view = compute_view(Choice(figure=figure, pulje=pulje, min_n=min_n, data_dir=resolve_dir(data_dir)))
        self.view.notes[:0] = start_notes

    def outputs(self, with_source: bool = True) -> list[dict]:
        """The notebook outputs, in order (mime bundles). `with_source=False` when the book's banner already
        names the data source."""
        view = self.view
        out = [{"text/markdown": LIVE_HINT_MD, "text/plain": LIVE_HINT_MD}]
        note = (source_html(view) if with_source else "") + notes_html(view)
        if note:
            out.append({"text/html": note, "text/plain": "\n".join([view.error or "", *view.notes]).strip()})
        if view.png is not None:
            out.append({"text/html": heading_html(view), "text/plain": view.heading})
            out.append(
                {
                    "image/png": base64.b64encode(view.png).decode("ascii"),
                    "text/plain": figure_heading(view.choice.figure),
                }
            )
        tbl = table_html(view)
        if tbl:
            out.append({"text/html": tbl, "text/plain": view.display_frame.to_string()})
        return out

    def _ipython_display_(self):
        from IPython.display import display

        for bundle in self.outputs(with_source=not _book_banner(self.view)):
            # the figure's alt text travels in the output metadata (book/_ext/lmp_alttext.py), not its file path
            meta = ({"image/png": {"alt": f"{bundle['text/plain']}. Tallene står i tabellen under figuren."}}
                    if "image/png" in bundle else None)
            display(bundle, raw=True, metadata=meta)

    def _repr_html_(self):  # for renderers that ask for one HTML blob
        return static_html(self.view)


def _book_banner(view: View) -> bool:
    """Show the book's page banner (pulje, data source, the synthetic-data warning) so this page looks like
    every other page of the book. False (and nothing shown) if it cannot be made, e.g. a bad data dir."""
    if view.source is None:
        return False
    try:
        from lmp_helpers.book import Chapter

        c = view.choice
        Chapter(
            name="utforsk", pulje=parse_pulje(c.pulje), data_dir=c.data_dir and str(c.data_dir), min_n=c.min_n
        ).banner()
    except Exception:  # the banner is decoration; the view below still names the data source
        return False
    return True


def _parent_cmdline() -> str | None:
    """Command line of the process that launched this kernel (Linux /proc); None where unknown."""
    try:
        raw = Path(f"/proc/{os.getppid()}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", "replace")


def is_live() -> bool:
    """True when the kernel was started by a Jupyter server (JupyterLab, Notebook 7): the server sets
    JPY_SESSION_NAME for its kernels, papermill/nbclient (the book build) do not. A papermill run started
    from inside a Lab kernel (`!make book`) inherits that variable, so where the launching process can be
    seen, it must also be a Jupyter server. LMP_EXPLORER=static|live overrides the guess."""
    forced = os.environ.get("LMP_EXPLORER", "").strip().lower()
    if forced in {"static", "live"}:
        return forced == "live"
    if not os.environ.get("JPY_SESSION_NAME"):
        return False
    parent = _parent_cmdline()
    return parent is None or re.search(r"jupyter[-_](lab|server|notebook)", parent) is not None


def explorer(pulje="alle", data_dir=None, min_n=DEFAULT_MIN_N, *, live: bool | None = None, **kwargs):
    """The one call of notebooks/utforsk.ipynb: the live widget explorer in JupyterLab, otherwise the static
    default view (a kernel without a widget frontend cannot show widgets, and the book has no kernel)."""
    if live is None:
        live = is_live()
    if live:
        return Explorer(pulje=pulje, data_dir=data_dir, min_n=min_n, **kwargs)
    return StaticView(pulje=pulje, data_dir=data_dir, min_n=min_n, **kwargs)
