"""Findings panel: the live diagnosis, readable from the back of a lecture hall.

A large headline in plain words, coloured by severity ("Left AICA · attached
segment · moderate · central myelin · likely symptomatic"), the classification
as words, the culprit, a contact table, the mechanism chain, management options
and the sources as full citations; "Copy as text" puts ``format_report`` on the
clipboard. The panel only listens to ``SceneDocument.findingsChanged`` (the
document coalesces many edits into one analysis per event-loop pass) and never
runs the analysis itself.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..analysis import Contact, Findings, format_report
from ..pad_editing import has_plan
from ..sources import BIBLIOGRAPHY

# tag_words and TAG_WORDS are re-exported: callers and tests read them here
from ..vocabulary import SEGMENT_NAMES, TAG_WORDS, segment_site, tag_words  # noqa: F401
from .document import SceneDocument

BASE_POINT_SIZE = 11.0
HEADLINE_POINT_SIZE = 16.0

# Headline colours: (background, text); every pair has a contrast ratio >= 6:1.
SEVERITY_COLOURS = {
    "none": ("#1b5e20", "#ffffff"),  # green: no compression
    "mild": ("#ffb300", "#000000"),  # amber
    "moderate": ("#ffb300", "#000000"),
    "severe": ("#b71c1c", "#ffffff"),  # red
    "other": ("#37474f", "#ffffff"),  # slate: a cause without nerve contact (central, a history)
}

TABLE_COLUMNS = ("Vessel/lesion", "Nerve", "Segment", "Severity", "Myelin", "Gap (mm)", "Side")


def site_words(contact: Contact) -> str:
    """'attached segment' on CN VII, the nerve's name elsewhere."""
    return SEGMENT_NAMES[contact.segment] if contact.segment else contact.structure


def headline(findings: Findings) -> str:
    """The diagnosis in one line of plain words.

    'Left AICA · attached segment · moderate · central myelin · likely symptomatic',
    or, without a culprit, 'No contact — normal anatomy (idiopathic)' and the like.
    """
    cc = findings.culprit_contact()
    kind = findings.mechanism.kind
    if cc is None:
        if kind == "decompressed":
            label = before_culprit_words(findings)
            return (
                f"Decompressed \u2014 the {label} is held off CN VII" if label else "Decompressed \u2014 CN VII is free"
            )
        if kind == "central":
            return "No nerve contact \u2014 brainstem lesion (central cause)"
        if kind == "post_bells":
            return "No contact \u2014 post-Bell's palsy synkinesis, not compression"
        if kind == "post_trauma":
            return "No contact \u2014 post-traumatic hemifacial spasm (facial nerve injury)"
        if kind == "inflammatory":
            return "No contact \u2014 inflammatory hemifacial spasm (facial nerve inflammation)"
        return "No contact \u2014 normal anatomy (idiopathic)"
    parts = [cc.label, site_words(cc), cc.severity]
    if cc.myelin:
        parts.append(f"{cc.myelin} myelin")
    parts.append("likely symptomatic" if findings.mechanism.likely_symptomatic else "less likely symptomatic")
    return " \u00b7 ".join(parts)


def corridor_words(findings: Findings) -> str:
    """'57 % of the root exit zone visible from the keyhole at 8.0 mm retraction', or '' without a corridor."""
    c = getattr(findings, "corridor", None)
    if not c:
        return ""
    return (
        f"{round(100 * c['rez_visible_fraction'])} % of the root exit zone (RExP + attached segment) visible "
        f"from the keyhole at {c['retraction_mm']:.1f} mm cerebellar retraction"
    )


STATUS_WORDS = {
    "decompressed": "decompressed \u2014 no vessel touches CN VII any more",
    "residual_compression": "residual compression \u2014 a vessel still touches CN VII",
}
STATUS_COLOURS = {"decompressed": "#1b5e20", "residual_compression": "#b71c1c"}  # text colours on white


def short_cite(key: str) -> str:
    """'Tomii 2003' for the bibliography key 'tomii-2003' (the full entry goes in the sources list)."""
    name, _, year = key.rpartition("-")
    return f"{name.replace('-', ' ').title()} {year}" if year.isdigit() else key


def shown_words(before: bool) -> str:
    """Which state of a planned decompression the scene and the findings show."""
    if before:
        return "before decompression \u2014 the plan's pads and slings are left out (B shows them)"
    return "with the decompression plan (B shows the scene before it)"


def before_culprit_words(findings: Findings, with_site: bool = False) -> str:
    """The culprit before decompression in words ('Left AICA', with the site 'Left AICA at the
    attached segment (AS), moderate'), '' when there was none or no plan."""
    before = (getattr(findings, "decompression", None) or {}).get("before") or {}
    culprit = before.get("culprit")
    if not culprit:
        return ""
    for c in before.get("contacts", ()):
        if culprit in (c.get("vessel"), c.get("lesion")) and c.get("structure") == "CN VII":
            label = c.get("label") or culprit
            if not with_site:
                return label
            return f"{label} at the {segment_site(c.get('segment'), 'CN VII')}, {c.get('severity')}"
    return culprit


def decompression_lines(findings: Findings) -> list[str]:
    """The decompression check as plain lines ('' list when the scenario has no plan)."""
    dec = getattr(findings, "decompression", None)
    if not dec:
        return []
    out = [f"Decompression: {STATUS_WORDS.get(dec.get('status'), dec.get('status'))}"]
    before = dec.get("before") or {}
    tags = ", ".join(tag_words(t) for t in before.get("classification", ()))
    out.append(f"Before: {tags or 'none'}; culprit {before_culprit_words(findings, True) or 'none'}")
    for c in dec.get("pad_contacts", ()):
        where = segment_site(c.get("segment"), c.get("structure", ""))
        myelin = f", {c['myelin']} myelin" if c.get("myelin") else ""
        out.append(
            f"Pad {c.get('pad')} \u2192 {c.get('structure')} ({where}{myelin}): gap {c.get('gap_mm', 0.0):+.2f} mm, "
            f"penetration {c.get('penetration_mm', 0.0):.2f} mm"
        )
    for w in dec.get("warnings", ()):
        cites = "; ".join(short_cite(k) for k in w.get("sources", ()))
        out.append(f"Warning ({w.get('code')}): {w.get('text', '')}" + (f" [{cites}]" if cites else ""))
    return out


def decompression_html(findings: Findings) -> str:
    """The decompression block of the Findings panel: status, before, pad contacts, warnings with sources."""
    dec = getattr(findings, "decompression", None)
    if not dec:
        return ""
    e = html.escape
    status = dec.get("status")
    colour = STATUS_COLOURS.get(status, "#37474f")
    out = [f"<b>Decompression:</b> <b style='color:{colour}'>{e(STATUS_WORDS.get(status, str(status)))}</b>"]
    before = dec.get("before") or {}
    tags = ", ".join(tag_words(t) for t in before.get("classification", ()))
    out.append(f"<br/><b>Before:</b> {e(tags or 'none')}; culprit {e(before_culprit_words(findings, True) or 'none')}")
    contacts = dec.get("pad_contacts", ())
    if contacts:
        items = []
        for c in contacts:
            where = segment_site(c.get("segment"), c.get("structure", ""))
            myelin = f", {c['myelin']} myelin" if c.get("myelin") else ""
            items.append(
                f"<li>{e(str(c.get('pad')))} \u2192 {e(str(c.get('structure')))} ({e(where)}{e(myelin)}), "
                f"gap {c.get('gap_mm', 0.0):+.2f} mm</li>"
            )
        out.append("<br/><b>Pad contacts:</b><ul style='margin-top:0'>" + "".join(items) + "</ul>")
    warnings = dec.get("warnings", ())
    if warnings:
        keys = []
        items = []
        for w in warnings:
            srcs = list(w.get("sources", ()))
            keys += [k for k in srcs if k not in keys]
            cites = "; ".join(short_cite(k) for k in srcs)
            items.append(
                f"<li><b style='color:#b71c1c'>{e(str(w.get('code')))}</b>: {e(str(w.get('text', '')))}"
                + (f" <i>[{e(cites)}]</i>" if cites else "")
                + "</li>"
            )
        out.append("<br/><b>Warnings:</b><ul style='margin-top:0'>" + "".join(items) + "</ul>")
        if keys:
            out.append(
                "<small>" + "<br/>".join(e(BIBLIOGRAPHY.get(k, k)) for k in keys if k in BIBLIOGRAPHY) + "</small>"
            )
    return "".join(out)


def headline_severity(findings: Findings) -> str:
    """Key into SEVERITY_COLOURS: the culprit's severity, 'none', or 'other'."""
    cc = findings.culprit_contact()
    if cc is not None:
        return cc.severity
    return "other" if findings.mechanism.kind in ("central", "post_bells", "post_trauma", "inflammatory") else "none"


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _font(widget: QWidget, size: float, bold: bool = False) -> QFont:
    f = QFont(widget.font())
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


class FindingsPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._findings: Findings | None = None
        self._tags_text = self._culprit_text = self._corridor_text = ""
        self._table_rows: list | None = None  # what the contact table shows
        if self.font().pointSizeF() < BASE_POINT_SIZE:
            self.setFont(_font(self, BASE_POINT_SIZE))

        self.headline_label = QLabel(self)
        self.headline_label.setObjectName("findingsHeadline")
        self.headline_label.setFont(_font(self, HEADLINE_POINT_SIZE, bold=True))
        self.headline_label.setWordWrap(True)
        self.headline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline_label.setMargin(8)

        self.tags_label = QLabel(self)
        self.tags_label.setObjectName("findingsTags")
        self.tags_label.setWordWrap(True)
        self.culprit_label = QLabel(self)
        self.culprit_label.setObjectName("findingsCulprit")
        self.culprit_label.setWordWrap(True)
        # the surgeon's corridor, when the scenario plans one: how much of the REZ the keyhole shows
        self.corridor_label = QLabel(self)
        self.corridor_label.setObjectName("findingsCorridor")
        self.corridor_label.setWordWrap(True)
        self.corridor_label.hide()
        for lab in (self.tags_label, self.culprit_label, self.corridor_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # a planned decompression: which state is shown, and the check of the plan
        self.shown_label = QLabel(self)
        self.shown_label.setObjectName("findingsShownState")
        self.shown_label.setWordWrap(True)
        self.shown_label.setStyleSheet(
            "QLabel { background: #263238; color: #ffffff; padding: 4px; border-radius: 3px; }"
        )
        self.shown_label.hide()
        self.decompression_label = QLabel(self)
        self.decompression_label.setObjectName("findingsDecompression")
        self.decompression_label.setWordWrap(True)
        self.decompression_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decompression_label.hide()
        self._shown_text = ""
        self._decompression_lines: list[str] = []

        self.no_contacts_label = QLabel("No vessel or lesion touches CN VII or CN VIII.", self)
        self.no_contacts_label.setWordWrap(True)
        self.table = QTableWidget(0, len(TABLE_COLUMNS), self)
        self.table.setObjectName("findingsContacts")
        self.table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)

        self.details = QTextBrowser(self)
        self.details.setObjectName("findingsDetails")
        self.details.setOpenLinks(False)

        self.copy_button = QPushButton("Copy as text", self)
        self.copy_button.setToolTip("Copy the full report (contacts, mechanism, management, sources) to the clipboard")
        self.copy_button.clicked.connect(self.copy_as_text)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.shown_label)
        layout.addWidget(self.headline_label)
        layout.addWidget(self.tags_label)
        layout.addWidget(self.culprit_label)
        layout.addWidget(self.corridor_label)
        layout.addWidget(self.decompression_label)
        layout.addWidget(self.no_contacts_label)
        layout.addWidget(self.table)
        layout.addWidget(self.details, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout.addLayout(buttons)

        document.findingsChanged.connect(self.show_findings)
        document.planShownChanged.connect(self._plan_shown)
        document.caseChanged.connect(self._on_case)
        document.caseEdited.connect(self._on_case)
        document.caseFindingsChanged.connect(self._on_case_findings)
        # The document analyses lazily: this runs any pending analysis (which also
        # announces it through findingsChanged) or returns the current findings.
        self.show_findings(document.findings)

    # ------------------------------------------------------------------ display
    @property
    def findings(self) -> Findings | None:
        """The findings on display."""
        return self._findings

    _details_cache: str | None = None

    def _plan_shown(self, _before: bool) -> None:
        self._findings = None
        self.show_findings(self.document.findings)

    def show_findings(self, findings: Findings) -> None:
        if self.document.case is not None and findings is not self.document.case_findings:
            return  # the model's findings stay hidden under a patient case
        # A drag brings new findings every frame, mostly saying the same thing: only text that
        # changed is set, so Qt lays out and repaints only what the audience would see change.
        d = self.document
        before = d.showing_before
        if before:  # the scene before decompression is shown: so are its findings
            findings = d.shown_state.findings
        if findings is self._findings:
            return
        planned = before or has_plan(d.scenario)
        self._shown_text = shown_words(before) if planned else ""
        _set_text(self.shown_label, f"<b>Shown:</b> {html.escape(self._shown_text)}")
        if self.shown_label.isHidden() == planned:
            self.shown_label.setVisible(planned)
        self._decompression_lines = decompression_lines(findings)
        _set_text(self.decompression_label, decompression_html(findings))
        if self.decompression_label.isHidden() == bool(self._decompression_lines):
            self.decompression_label.setVisible(bool(self._decompression_lines))
        self._findings = findings
        severity = headline_severity(findings)
        _set_text(self.headline_label, headline(findings))
        if severity != self.headline_label.property("severity"):  # re-polishing a style sheet is costly
            bg, fg = SEVERITY_COLOURS[severity]
            self.headline_label.setStyleSheet(f"QLabel {{ background-color: {bg}; color: {fg}; border-radius: 4px; }}")
            self.headline_label.setProperty("severity", severity)

        self._tags_text = ", ".join(tag_words(t) for t in findings.classification)
        _set_text(self.tags_label, f"<b>Classification:</b> {html.escape(self._tags_text)}")
        cc = findings.culprit_contact()
        if cc is None:
            self._culprit_text = "none"
        else:
            site = segment_site(cc.segment, cc.structure)
            self._culprit_text = f"{cc.label} at the {site}, {cc.severity}"
        _set_text(self.culprit_label, f"<b>Culprit:</b> {html.escape(self._culprit_text)}")
        self._corridor_text = corridor_words(findings)
        _set_text(self.corridor_label, f"<b>Corridor:</b> {html.escape(self._corridor_text)}")
        if self.corridor_label.isHidden() == bool(self._corridor_text):
            self.corridor_label.setVisible(bool(self._corridor_text))
        self._fill_table(findings, cc)
        details = self._details_html(findings)
        if details != self._details_cache:  # re-laying out rich text costs ~3 ms: only on change
            self._details_cache = details
            self.details.setHtml(details)

    def _fill_table(self, findings: Findings, culprit: Contact | None) -> None:
        contacts = findings.all_contacts
        rows = []
        for c in contacts:
            seg = segment_site(c.segment, "\u2014")
            side = c.side or "\u2014"
            if hasattr(c, "shape_words"):  # a patient's contact: its severity comes from the nerve's shape
                side = f"{side}; {c.shape_words()}"
            values = (
                c.label,
                c.structure,
                seg,
                c.severity,
                c.myelin or "\u2014",
                f"{c.gap_mm:.2f}",
                side,
            )
            rows.append((values, culprit is not None and c == culprit))
        if rows == self._table_rows:
            return
        last = "Side; nerve shape" if any(hasattr(c, "shape_words") for c in contacts) else TABLE_COLUMNS[-1]
        if self.table.horizontalHeaderItem(len(TABLE_COLUMNS) - 1).text() != last:
            self.table.horizontalHeaderItem(len(TABLE_COLUMNS) - 1).setText(last)

        # while a drag changes only the gaps, the columns keep their widths (the header is wider)
        def without_gaps(table):
            return [(values[:5] + values[6:], bold) for values, bold in table]

        relayout = self._table_rows is None or without_gaps(rows) != without_gaps(self._table_rows)
        self._table_rows = rows
        self.table.setRowCount(len(rows))
        for row, (values, bold) in enumerate(rows):
            for col, value in enumerate(values):
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem(value)
                    if col == 5:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
                elif item.text() != value:
                    item.setText(value)
                if item.font().bold() != bold:
                    f = item.font()
                    f.setBold(bold)
                    item.setFont(f)
        empty = not rows
        self.table.setVisible(not empty)
        self.no_contacts_label.setVisible(empty)
        if not empty and relayout:
            self.table.resizeColumnsToContents()
            h = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
            h += sum(self.table.rowHeight(r) for r in range(len(rows)))
            self.table.setMaximumHeight(h + 4)

    @staticmethod
    def _details_html(findings: Findings) -> str:
        m = findings.mechanism
        e = html.escape
        out = ["<h3>Mechanism</h3>", f"<p>{e(m.summary)}</p>"]
        out.append("<p><b>Likely symptomatic:</b> " + ("yes" if m.likely_symptomatic else "no") + "</p>")
        out.append("<ol>" + "".join(f"<li>{e(s)}</li>" for s in m.steps) + "</ol>")
        if m.notes:
            out.append("<h3>Notes</h3><ul>" + "".join(f"<li>{e(n)}</li>" for n in m.notes) + "</ul>")
        out.append("<h3>Management options</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in m.management) + "</ul>")
        out.append(
            "<h3>Sources</h3><ol>" + "".join(f"<li>{e(BIBLIOGRAPHY.get(k, k))}</li>" for k in m.sources) + "</ol>"
        )
        return "".join(out)

    # ------------------------------------------------------------------ patient case
    def _on_case(self, case) -> None:
        if case is None:
            self._findings = None  # show the model's findings again, whatever they are
            self.table.setVisible(True)
            self.show_findings(self.document.findings)
            return
        self.show_case(case)

    def show_case(self, case) -> None:
        """What a patient case is: its name and side, its structures by role, its sources."""
        from ..case import ROLE_TITLES, role_words

        e = html.escape
        _set_text(self.headline_label, f"Patient case · {case.name} · {case.side} facial nerve")
        bg, fg = SEVERITY_COLOURS["other"]
        self.headline_label.setStyleSheet(f"QLabel {{ background-color: {bg}; color: {fg}; border-radius: 4px; }}")
        self.headline_label.setProperty("severity", "case")
        counts: dict[str, list] = {}
        for st in case.structures:
            counts.setdefault(st.role, []).append(st)
        self._tags_text = ", ".join(
            (f"{len(counts[r])} × " if len(counts[r]) > 1 else "") + ROLE_TITLES[r] for r in ROLE_TITLES if r in counts
        )
        _set_text(self.tags_label, f"<b>Structures:</b> {e(self._tags_text)}")
        missing = [w for r, w in (("facial_nerve", "a facial nerve"), ("vessel", "a vessel")) if r not in counts]
        error = self.document.case_analysis_error
        if missing:
            self._culprit_text = (
                f"the case has no structure with the role of {' or '.join(missing)}: change a role "
                "(right-click it in the Structures panel) for a compression analysis"
            )
        elif error:
            self._culprit_text = f"not possible: {error}"
        else:
            self._culprit_text = "measuring the nerve path, the landmarks and the vessel centrelines\u2026"
        _set_text(self.culprit_label, f"<b>Analysis:</b> {e(self._culprit_text)}")
        self._corridor_text = ""
        self.corridor_label.hide()
        self.table.hide()
        self.no_contacts_label.hide()
        by_file: dict[tuple, list] = {}  # one line per file: a label map holds many structures
        for src in case.sources:
            by_file.setdefault((src.file, src.kind, src.space), []).append(src.label)
        rows = "".join(
            f"<li>{e(f)} — {e(kind)}, {e(space)} frame"
            + (
                f", labels {', '.join(str(x) for x in labels if x is not None)}"
                if any(x is not None for x in labels)
                else ""
            )
            + "</li>"
            for (f, kind, space), labels in by_file.items()
        )
        pieces = [f"{x.name}: {x.pieces} separate pieces" for x in case.structures if x.pieces > 1]
        details = [
            "<h3>Structures</h3><ul>"
            + "".join(f"<li><b>{e(x.name)}</b> — {e(role_words(x))}</li>" for x in case.structures)
            + "</ul>",
            f"<h3>Sources</h3><ol>{rows}</ol>" if rows else "",
            ("<h3>Notes</h3><ul>" + "".join(f"<li>{e(t)}</li>" for t in pieces) + "</ul>") if pieces else "",
            "<p>Coordinates are RAS millimetres of the source images. The case keeps file names and "
            "checksums, never paths or header text that could name the patient.</p>",
        ]
        html_text = "".join(details)
        self._details_cache = html_text
        self.details.setHtml(html_text)

    def _on_case_findings(self, findings) -> None:
        case = self.document.case
        if case is None:
            return
        if findings is None:
            self.show_case(case)
            return
        self._findings = None
        self.table.setVisible(True)
        self.show_findings(findings)
        # what makes it a patient's result: the anatomy, the sources, the contact tolerance
        files = ", ".join(dict.fromkeys(f"{s.file} ({s.space})" for s in case.sources))
        geometry = self.document.case_geometry
        tol = getattr(getattr(geometry, "anatomy", None), "tolerance_mm", None)
        self._corridor_text = (
            f"Patient case '{case.name}', {case.side} side: the patient's own anatomy from {files}"
            + (f"; contact = a surface gap of at most {tol:.2f} mm" if tol is not None else "")
            + ". The result depends on the segmentation: check the surfaces and landmarks."
        )
        _set_text(self.corridor_label, f"<b>Anatomy:</b> {html.escape(self._corridor_text)}")
        self.corridor_label.setVisible(True)

    # ------------------------------------------------------------------ actions
    def report_text(self) -> str:
        if self.document.case is not None and self.document.case_findings is None:
            return self.text()  # the case's summary, not the hidden model's findings
        return format_report(self._findings) if self._findings is not None else ""

    def copy_as_text(self) -> None:
        if self._findings is None and self.document.case is None:
            return
        QGuiApplication.clipboard().setText(self.report_text())
        self.document.statusMessage.emit("Findings copied to the clipboard")

    def text(self) -> str:
        """Everything the panel shows, as plain text (headline first)."""
        return "\n".join(
            [
                *([f"Shown: {self._shown_text}"] if self._shown_text else []),
                self.headline_label.text(),
                f"Classification: {self._tags_text}",
                f"Culprit: {self._culprit_text}",
                *(
                    [f"{'Anatomy' if self.document.case else 'Corridor'}: {self._corridor_text}"]
                    if self._corridor_text
                    else []
                ),
                *self._decompression_lines,
                self.details.toPlainText(),
            ]
        )
