"""Audit sheet output: the HTML from omaliref.report.as_html, written as PDF."""

from __future__ import annotations

from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument


def write_pdf(html: str, path: str) -> None:
    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    writer.setTitle("omaliref audit sheet")
    writer.setCreator("omaliref")
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
