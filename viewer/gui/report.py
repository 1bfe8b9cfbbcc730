"""PDF case report: Qt's PDF writer, no OpenGL inside Qt.

One A4 document: the scenario's name (and teaching title), the date, two views
of the scene rendered offscreen by VTK (`viewer.render.scenario_view`), the
diagnosis in plain words, the contact table, the mechanism, management and the
numbered references. The same function serves the GUI (File > Export report)
and the headless CLI (`hfs-viewer report`): it only needs a QGuiApplication,
and `ensure_gui_app()` creates one on Qt's `offscreen` platform when there is
no display. Writing is atomic: a temp file in the target folder, renamed at the
end, so an existing report is replaced whole or not at all.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QMarginsF, QUrl
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from .. import __version__
from ..analysis import Findings
from ..atomic import atomic_path
from ..pad_editing import has_plan, without_plan
from ..scenario import Scenario
from ..sources import BIBLIOGRAPHY
from ..vocabulary import segment_site, tag_words
from .findings_panel import (
    SEVERITY_COLOURS,
    STATUS_WORDS,
    before_culprit_words,
    corridor_words,
    headline,
    headline_severity,
)

__all__ = [
    "REPORT_VIEWS",
    "REPORT_IMAGE_SIZE",
    "ensure_gui_app",
    "report_views",
    "report_images",
    "report_html",
    "write_report",
    "reference_keys",
]

REPORT_VIEWS = ("anterior", "rez_closeup")  # the whole CPA, then the root exit zone up close
REPORT_IMAGE_SIZE = (1500, 900)  # pixels per view image (drawn ~150 mm wide: ~250 dpi); 5:3 so two fit page 1
PDF_RESOLUTION_DPI = 300
# QTextDocument.print_ adds 2 cm margins of its own inside the writer's page rect: the writer has none.
PAGE_MARGINS_MM = 0.0
IMAGE_WIDTH_PX = 570  # layout pixels (96 per inch) of each view; the text column is 170 mm = 642 px
DISCLAIMER = (
    "Teaching model: a parametric anatomy with literature dimensions, not a patient's imaging; "
    "not for diagnosis or treatment decisions."
)

_APP = None  # the QGuiApplication created here, kept alive for the process


def ensure_gui_app() -> QGuiApplication:
    """The running QGuiApplication, or a new one (on the `offscreen` platform when there is no display)."""
    global _APP
    app = QCoreApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("the PDF report needs a QGuiApplication (a QCoreApplication is running)")
        return app
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _APP = QGuiApplication(["hfs-viewer"])
    return _APP


def report_views(scenario: Scenario) -> tuple[str, str]:
    """The anterior overview, then the teaching case's own view (else the root-exit-zone close-up)."""
    view = getattr(getattr(scenario, "teaching", None), "view", None)
    return (REPORT_VIEWS[0], view if view and view != REPORT_VIEWS[0] else REPORT_VIEWS[1])


def report_images(
    scenario: Scenario, views=REPORT_VIEWS, size=REPORT_IMAGE_SIZE, annotations: bool = True
) -> dict[str, np.ndarray]:
    """Offscreen VTK renders of the scenario (deformed nerve, callouts) for each view name (one plotter)."""
    from ..render.video import OffscreenScenario

    out = {}
    views = tuple(views)
    if not views:
        return out
    with OffscreenScenario(scenario, view=views[0], size=tuple(size), annotations=annotations) as r:
        for view in views:
            r.set_view(view)
            out[view] = r.grab()
    return out


def reference_keys(scenario: Scenario, findings: Findings) -> list[str]:
    """Bibliography keys cited by the report, in order of first citation (numbered from 1)."""
    keys: list[str] = []
    teaching = getattr(scenario, "teaching", None)
    dec = getattr(findings, "decompression", None) or {}
    warned = [k for w in dec.get("warnings", ()) for k in w.get("sources", ())]
    groups = [
        findings.thresholds.sources,
        findings.mechanism.sources,
        getattr(teaching, "sources", ()) or (),
        warned,
    ]
    for group in groups:
        for k in group:
            if k in BIBLIOGRAPHY and k not in keys:
                keys.append(k)
    return keys


def _qimage(img: np.ndarray) -> QImage:
    a = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"report images must be (H, W, 3|4) uint8 arrays, got shape {a.shape}")
    h, w, c = a.shape
    fmt = QImage.Format.Format_RGB888 if c == 3 else QImage.Format.Format_RGBA8888
    return QImage(a.data, w, h, a.strides[0], fmt).copy()  # copy: the QImage must own its pixels


def _e(text) -> str:
    return html.escape(str(text))


def _cites(keys, numbers: Mapping[str, int]) -> str:
    """' [1, 2, 4–7]' for the reference numbers of `keys` (runs of 3+ as ranges)."""
    nums = sorted({numbers[k] for k in keys if k in numbers})
    if not nums:
        return ""
    runs, start = [], nums[0]
    for a, b in zip(nums, nums[1:] + [None]):
        if b != a + 1:
            runs.append(str(start) if a == start else f"{start}, {a}" if a == start + 1 else f"{start}\u2013{a}")
            start = b
    return f" [{', '.join(runs)}]"


def _view_title(name: str, side: str = "left") -> str:
    from ..render.views import VIEWS, view_title

    return view_title(name, side) if name in VIEWS else name.replace("_", " ")


def _contact_rows(findings: Findings) -> str:
    rows = []
    for c in findings.all_contacts:
        seg = segment_site(c.segment, "\u2014")
        culprit = c.id == findings.culprit and c.structure == "CN VII"
        name = f"<b>{_e(c.label)}</b> (culprit)" if culprit else _e(c.label)
        kind = c.kind if c.source == "lesion" else f"{c.kind}, {c.role}"
        rows.append(
            f"<tr><td>{name}<br/><small>{_e(kind)}</small></td><td>{_e(c.structure)}</td><td>{_e(seg)}</td>"
            f"<td>{_e(c.severity)}</td><td>{_e(c.myelin or chr(0x2014))}</td>"
            f"<td align='right'>{c.gap_mm:+.2f}</td><td align='right'>{c.penetration_mm:.2f}</td>"
            f"<td>{_e(c.side or chr(0x2014))}"
            + (f"<br/><small>{_e(c.shape_words())}</small>" if hasattr(c, "shape_words") else "")
            + "</td></tr>"
        )
    return "".join(rows)


BEFORE_PREFIX = "before:"  # image names of the scene before decompression


def _plan_html(scenario: Scenario, findings: Findings, image_names, num: Mapping[str, int]) -> str:
    """'Decompression plan': both states side by side, the pads and slings, the warnings with their
    sources and, when the corridor is planned, how much of the root exit zone the keyhole shows."""
    dec = getattr(findings, "decompression", None) or {}
    before = dec.get("before") or {}
    out = ["<h2>Decompression plan</h2>"]
    status = dec.get("status")
    if status:
        out.append(f"<p><b>Result:</b> {_e(STATUS_WORDS.get(status, status))}.</p>")
    cc = findings.culprit_contact()
    after_culprit = (
        "none" if cc is None else f"{cc.label} at the {segment_site(cc.segment, cc.structure)}, {cc.severity}"
    )
    b_tags = ", ".join(tag_words(t) for t in before.get("classification", ()))
    a_tags = ", ".join(tag_words(t) for t in findings.classification)
    out.append(
        "<table width='100%' border='1' cellpadding='3' cellspacing='0'>"
        "<tr><th align='left'></th><th align='left'>Before decompression</th><th align='left'>With the plan</th></tr>"
        f"<tr><td>Classification</td><td>{_e(b_tags or chr(0x2014))}</td><td>{_e(a_tags)}</td></tr>"
        f"<tr><td>Culprit</td><td>{_e(before_culprit_words(findings, True) or 'none')}</td>"
        f"<td>{_e(after_culprit)}</td></tr>"
        f"<tr><td>Contacts</td><td>{len(before.get('contacts', ()))}</td><td>{len(findings.all_contacts)}</td></tr>"
        "</table>"
    )
    labels = {v.id: v.label or v.id for v in scenario.vessels}
    items = []
    for p in scenario.pads:
        size = " \u00d7 ".join(f"{2 * r:.1f}" for r in p.radii_mm)
        centre = ", ".join(f"{c:.1f}" for c in p.center_mm)
        items.append(f"<li>Teflon felt pad {_e(p.id)}: {size} mm, centre ({centre}) mm</li>")
    for sl in scenario.slings:
        anchor = ", ".join(f"{c:.1f}" for c in sl.anchor_mm)
        items.append(
            f"<li>Sling {_e(sl.id)} on the {_e(labels.get(sl.vessel, sl.vessel))}, {sl.at_mm:.1f} mm along its "
            f"course, fixed to the dura at ({anchor}) mm</li>"
        )
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    for c in dec.get("pad_contacts", ()):
        where = segment_site(c.get("segment"), c.get("structure", ""))
        out.append(
            f"<p>Pad {_e(c.get('pad'))} touches {_e(c.get('structure'))} ({_e(where)}"
            f"{', ' + _e(c['myelin']) + ' myelin' if c.get('myelin') else ''}), gap {c.get('gap_mm', 0.0):+.2f} mm.</p>"
        )
    warnings = dec.get("warnings", ())
    if warnings:
        out.append(
            "<p><b>Warnings:</b></p><ul>"
            + "".join(
                f"<li>{_e(w.get('text', w.get('code')))}{_cites(w.get('sources', ()), num)}</li>" for w in warnings
            )
            + "</ul>"
        )
    elif dec:
        out.append("<p>No warnings.</p>")
    corridor = corridor_words(findings)
    if corridor:
        out.append(f"<p><b>Root exit zone visibility with the plan:</b> {_e(corridor)}.</p>")
    for name in image_names:
        if name.startswith(BEFORE_PREFIX):
            view = name[len(BEFORE_PREFIX) :]
            title = _e(_view_title(view, scenario.side))
            out.append(
                "<table width='100%' cellpadding='2'><tr>"
                f"<td align='center'><img src='img:{_e(name)}' width='{IMAGE_WIDTH_PX // 2 + 30}'/><br/>"
                f"<small>{title}: before decompression</small></td>"
                f"<td align='center'><img src='img:{_e(view)}' width='{IMAGE_WIDTH_PX // 2 + 30}'/><br/>"
                f"<small>{title}: with the plan</small></td></tr></table>"
            )
    return "".join(out)


PATIENT_DISCLAIMER = (
    "Patient case: the anatomy is the patient's segmentation; the result depends on it (check the "
    "surfaces and the landmarks). Not for diagnosis or treatment decisions on its own."
)


def report_html(
    scenario: Scenario,
    findings: Findings,
    image_names=(),
    generated: _dt.datetime | None = None,
    patient: tuple[str, ...] | None = None,
) -> str:
    """The report as Qt rich text; images are referenced as `img:<view>` resources.

    `patient`: lines about a patient case's anatomy (sources, frame, contact tolerance); the report
    then says the anatomy is the patient's and warns that the result depends on the segmentation."""
    generated = generated or _dt.datetime.now().astimezone()
    refs = reference_keys(scenario, findings)
    num = {k: i + 1 for i, k in enumerate(refs)}
    m = findings.mechanism
    teaching = getattr(scenario, "teaching", None)
    parts = [f"<h1>{_e(scenario.name)}</h1>"]
    if teaching is not None:
        title = "" if teaching.title.strip() == scenario.name.strip() else f": {_e(teaching.title)}"
        parts.append(f"<p><i>Teaching case{title}</i>{_cites(teaching.sources, num)}</p>")
    parts.append(
        f"<p><small>HFS Compression Viewer {_e(__version__)} \u00b7 report generated "
        f"{_e(generated.strftime('%Y-%m-%d %H:%M %Z').strip())} \u00b7 {_e(scenario.side)} cerebellopontine angle"
        f"</small></p>"
    )

    if patient:
        parts.append(
            "<p><b>Patient anatomy.</b> "
            + " ".join(_e(x) for x in patient)
            + " <b>The result depends on the segmentation.</b></p>"
        )

    bg, fg = SEVERITY_COLOURS[headline_severity(findings)]
    parts.append(
        f"<table width='100%' cellpadding='6' cellspacing='0'><tr><td bgcolor='{bg}'>"
        f"<span style='color:{fg}; font-size:14pt; font-weight:bold'>{_e(headline(findings))}</span>"
        f"</td></tr></table>"
    )
    words = ", ".join(tag_words(t) for t in findings.classification)
    parts.append(f"<p><b>Classification:</b> {_e(words)} <small>({_e(', '.join(findings.classification))})</small></p>")
    cc = findings.culprit_contact()
    if cc is not None:
        site = segment_site(cc.segment, cc.structure)
        parts.append(
            f"<p><b>Culprit:</b> {_e(cc.label)} at the {_e(site)}, {_e(cc.severity)}"
            f"{', ' + _e(cc.myelin) + ' myelin' if cc.myelin else ''}.</p>"
        )
    else:
        parts.append("<p><b>Culprit:</b> none.</p>")
    corridor = corridor_words(findings)
    if corridor:
        parts.append(f"<p><b>Surgical corridor (retrosigmoid keyhole):</b> {_e(corridor)}.</p>")
    for name in image_names:
        if name.startswith(BEFORE_PREFIX):
            continue  # in the decompression plan's section
        parts.append(
            f"<p align='center'><img src='img:{_e(name)}' width='{IMAGE_WIDTH_PX}'/><br/>"
            f"<small>{_e(_view_title(name, scenario.side))} view: "
            + (
                "the patient's surfaces as segmented, with the contacts found on them.</small></p>"
                if patient
                else "vessels, lesions and CN VII as modelled, the nerve "
                "deformed by its contacts (heat colours: penetration depth).</small></p>"
            )
        )

    if scenario.description or teaching is not None:  # after the images: keeps both on page 1
        parts.append("<h2>Case</h2>")
        if scenario.description:
            parts.append(f"<p>{_e(scenario.description)}</p>")
        if teaching is not None:
            expected = ", ".join(tag_words(t) for t in teaching.expected)
            agree = set(teaching.expected) == set(findings.classification)
            parts.append(
                f"<p><b>Expected for this case:</b> {_e(expected)} "
                f"({'matches' if agree else 'differs from'} the analysis).</p>"
                f"<p>{_e(teaching.note)}{_cites(teaching.sources, num)}</p>"
            )

    parts.append("<h2>Contacts</h2>")
    if findings.all_contacts:
        head = "".join(
            f"<th align='left'>{h}</th>"
            for h in ("Vessel/lesion", "Nerve", "Segment", "Severity", "Myelin", "Gap (mm)", "Penetration (mm)", "Side")
        )
        parts.append(
            f"<table width='100%' border='1' cellpadding='3' cellspacing='0'><tr>{head}</tr>"
            f"{_contact_rows(findings)}</table>"
        )
        parts.append(
            f"<p><small>Severity: mild = contact without indentation (penetration \u2264 0.1 \u00d7 nerve "
            f"diameter), moderate = indentation (\u2264 0.5 D), severe = deviation of the nerve course"
            f"{_cites(findings.thresholds.sources, num)}. Negative gap = overlap of the undeformed "
            f"surfaces.</small></p>"
        )
    else:
        parts.append("<p>No vessel or lesion touches CN VII or CN VIII.</p>")
    label = {v.id: v.label or v.id for v in scenario.vessels}
    for vc in findings.vessel_contacts:
        parts.append(
            f"<p>Tandem: the {_e(label.get(vc.a, vc.a))} touches the {_e(label.get(vc.b, vc.b))} "
            f"(gap {vc.gap_mm:+.2f} mm).</p>"
        )

    if has_plan(scenario) or getattr(findings, "decompression", None):
        parts.append(_plan_html(scenario, findings, image_names, num))

    parts.append(f"<h2>Mechanism</h2><p>{_e(m.summary)}{_cites(m.sources, num)}</p>")
    if m.steps:
        parts.append("<ol>" + "".join(f"<li>{_e(s)}</li>" for s in m.steps) + "</ol>")
    for note in m.notes:
        parts.append(f"<p><i>{_e(note)}</i></p>")
    if m.management:
        parts.append("<h2>Management</h2><ul>" + "".join(f"<li>{_e(s)}</li>" for s in m.management) + "</ul>")

    parts.append("<h2>References</h2><ol>" + "".join(f"<li>{_e(BIBLIOGRAPHY[k])}</li>" for k in refs) + "</ol>")
    parts.append(f"<p><small>{_e(PATIENT_DISCLAIMER if patient else DISCLAIMER)}</small></p>")
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def write_report(
    scenario: Scenario,
    out_path,
    images: Mapping[str, np.ndarray] | None = None,
    *,
    findings: Findings | None = None,
    views=None,
    image_size=REPORT_IMAGE_SIZE,
    generated: _dt.datetime | None = None,
    patient: tuple[str, ...] | None = None,
) -> Path:
    """Write the A4 PDF report of `scenario` to `out_path` (atomically) and return the path.

    images: {view name: RGB(A) uint8 array}; None renders `views` (default `report_views(scenario)`)
    offscreen at `image_size` (VTK, no Qt OpenGL). findings: the scenario's analysis if the caller has it.
    Raises OSError when the folder cannot be written (nothing is left behind).
    """
    ensure_gui_app()
    out = Path(out_path)
    if findings is None:  # the scene model's findings: the corridor's visibility included when planned
        from ..scene_model import SceneModel

        findings = SceneModel(scenario=scenario).findings
    if images is None:
        views = report_views(scenario) if views is None else tuple(views)
        images = report_images(scenario, views, image_size)
        if has_plan(scenario) and views:  # the same view before decompression, beside the one with the plan
            last = views[-1]
            images[BEFORE_PREFIX + last] = report_images(without_plan(scenario), (last,), image_size)[last]
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(9.5)
    # no "fi"/"fl" ligatures: the PDF's text must extract and search as typed ("Classification")
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(
        "h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 10px; } th { background-color: #e0e0e0; }"
    )
    for name, img in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"img:{name}"), _qimage(img))
    doc.setHtml(report_html(scenario, findings, tuple(images), generated, patient))

    with atomic_path(out) as tmp:
        writer = QPdfWriter(tmp)
        writer.setResolution(PDF_RESOLUTION_DPI)
        writer.setTitle(f"HFS report: {scenario.name}")
        writer.setCreator(f"HFS Compression Viewer {__version__}")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(*(PAGE_MARGINS_MM,) * 4),
                QPageLayout.Unit.Millimeter,
            )
        )
        doc.print_(writer)
        del writer  # flushes and closes the file
        if os.path.getsize(tmp) < 100:
            raise OSError(f"{out}: the PDF writer produced no output")
    return out
