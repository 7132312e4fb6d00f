"""Budget goal documents in any layout and format (issue 22).

``blocks`` is what every reader gives and every layout reads: a document as a list of blocks
(headings, paragraphs, list items, table rows) with where each came from. ``reading`` turns a
file (text, DOCX, PDF, a saved HTML page) into blocks; ``layouts`` finds the focus areas, goals
and their sentences in blocks, whatever layout the municipality wrote them in.
"""
