"""How long does reading a whole budget book take, and how much memory?

Typesets with Typst a budget book of ``--pages`` pages (default 300): many service areas under
their politikområder, running headers and footers with page numbers ("Side 12 af 300"), tables
of figures, justified and hyphenated Danish text, and the libraries' goals (the founding
document's four focus areas) on pages 180–183. Then reads it (``goals.documents.reading``)
and finds its sections and the libraries' one, and imports it as the page and the command do
(``import_budget_document``, a dry run into a scratch SQLite database): the wall time of each
(median of ``--runs``), and the peak memory of one more import (tracemalloc for Python's
allocations, ru_maxrss for the whole process, PDFium included).

    .venv/bin/python bench/budget_document.py [--pages 300] [--runs 3]

The generator (``budget_book``, ``typeset``) is also what the tests make their smaller books
with.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOUNDING = ROOT.parent / "shared" / "seeds" / "maal-budget-2021.txt"

TEMPLATE = b"""
#let data = json(bytes(sys.inputs.data))
#set page(
  paper: "a4",
  margin: (x: 2.2cm, y: 2.5cm),
  header: if data.header != "" [#set text(8pt); #data.header #h(1fr) #data.volume],
  footer: if data.header != "" {
    context [#set text(8pt); #h(1fr) Side #counter(page).display() af #data.pages #h(1fr)]
  },
)
#set text(lang: "da", hyphenate: true, size: 10pt)
#set par(justify: true)
#for b in data.blocks {
  if b.k == "h" { heading(level: b.l, b.t) }
  else if b.k == "p" { par(b.t) }
  else if b.k == "lp" { par[#strong(b.label): #b.t] }
  else if b.k == "i" { list(..b.items) }
  else if b.k == "n" { enum(..b.items) }
  else if b.k == "tbl" { table(columns: b.rows.at(0).len(), ..b.rows.flatten()) }
  else if b.k == "pb" { pagebreak() }
}
"""

LABEL = re.compile(r"^\s*<b>(?P<label>[^<]+)</b>\s*\t\s*(?:<b>)?(?P<value>.*?)(?:</b>)?\s*$")

AREAS = [
    ("Kultur og Fritid", ["Museer", "Musikskole", "Idræt", "Biblioteker", "Fritidsfaciliteter"]),
    ("Børn og Unge", ["Dagtilbud", "Folkeskoler", "Ungdomsskole", "PPR", "Tandpleje"]),
    ("Social og Sundhed", ["Ældrepleje", "Sundhedsfremme", "Handicap", "Psykiatri"]),
    ("Teknik og Miljø", ["Veje og trafik", "Natur og miljø", "Kollektiv trafik", "Byggeri"]),
    ("Beskæftigelse", ["Jobcentre", "Integration", "Uddannelseshjælp"]),
]
FILLER = (
    "Serviceområdets opgaver løses i et tæt samarbejde med borgere, foreninger og de øvrige "
    "forvaltninger, og budgettet for {name} afspejler de politiske prioriteringer for "
    "kommende budgetår. Udgifterne til personale, bygningsvedligeholdelse og "
    "aktivitetsudvikling er fremskrevet med den forventede pris- og lønudvikling, og "
    "effektiviseringerne fra sidste budgetforlig er indarbejdet i rammen. Driftsudgifterne "
    "følges løbende op i forhold til de vedtagne servicemål og fremlægges for udvalget "
    "ved kvartalsopfølgningerne."
)


def founding_blocks(text: str) -> list[dict]:
    """The founding document's lines as Typst blocks: its heading and its labelled lines as
    paragraphs "Label: text" with the label in bold."""
    blocks = []
    for line in text.splitlines():
        if line.startswith("#"):
            blocks.append({"k": "h", "l": 2, "t": line.lstrip("# ").strip()})
            continue
        match = LABEL.match(line)
        if match:
            blocks.append({"k": "lp", "label": match["label"].strip(), "t": match["value"]})
    return blocks


def typeset(blocks: list[dict], *, header: str = "", volume: str = "", pages: int = 0) -> bytes:
    import typst

    data = {"blocks": blocks, "header": header, "volume": volume, "pages": str(pages)}
    return typst.compile(
        TEMPLATE,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
    )


def _area_pages(number: int, name: str, count: int, first: bool) -> list[dict]:
    blocks = []
    for page in range(count):
        if page == 0:
            blocks.append({"k": "h", "l": 2, "t": f"Serviceområde {number} {name}"})
            blocks.append({"k": "lp", "label": "Fokusområde", "t": f"Et godt {name.lower()}."})
            blocks.append(
                {
                    "k": "lp",
                    "label": "Mål",
                    "t": f"Antallet af brugere af {name.lower()} skal stige med 5 procent "
                    f"i forhold til 2020, og mindst 1.200 borgere skal deltage i arrangementer.",
                }
            )
        blocks.append({"k": "p", "t": FILLER.format(name=name.lower())})
        blocks.append(
            {"k": "i", "items": ["Flere digitale selvbetjeningsløsninger.", "Bedre kvalitet."]}
        )
        rows = [["Bevilling (1.000 kr.)", "Budget 2025", "Overslag 2026", "Overslag 2027"]]
        rows += [
            [f"Konto {number}.{i:02d}", f"{1000 + i * 37}", f"{1010 + i * 37}", "-"]
            for i in range(8)
        ]
        blocks.append({"k": "tbl", "rows": rows})
        blocks.append({"k": "p", "t": FILLER.format(name=name.lower())})
        blocks.append({"k": "pb"})
    return blocks


def budget_book(pages: int = 300, libraries_at: int = 180, founding: str | None = None) -> bytes:
    """A budget book of ``pages`` pages with the libraries' goals (the founding document's) on
    the four pages from ``libraries_at`` (1-based), all else other service areas."""
    founding = founding if founding is not None else FOUNDING.read_text(encoding="utf-8")
    names = [(policy, name) for policy, areas in AREAS for name in areas if name != "Biblioteker"]
    before, after = libraries_at - 1, pages - libraries_at - 3
    blocks: list[dict] = []
    number = 1

    def fill(count: int, names: list[tuple[str, str]]) -> None:
        nonlocal number
        per = max(1, count // len(names)) if names else count
        policy_seen = None
        for index, (policy, name) in enumerate(names):
            share = per if index < len(names) - 1 else count - per * (len(names) - 1)
            if share <= 0:
                continue
            if policy != policy_seen:
                blocks.append({"k": "h", "l": 1, "t": f"Politikområde: {policy}"})
                policy_seen = policy
            blocks.extend(_area_pages(number, name, share, True))
            number += 1

    half = len(names) // 2
    fill(before, names[:half])
    blocks.append({"k": "h", "l": 2, "t": "Serviceområde 14 Biblioteker"})
    library = founding_blocks(founding)
    heading, areas = library[0], library[1:]
    blocks.append(heading)
    for page in range(4):
        blocks.extend(areas[page * 5 : page * 5 + 5])
        blocks.append({"k": "pb"})
    fill(after, names[half:])
    if blocks and blocks[-1]["k"] == "pb":
        blocks.pop()
    return typeset(blocks, header="Budget 2021", volume="Bind 2 · Drift", pages=pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--make", help=argparse.SUPPRESS)  # typeset the book to this file only
    args = parser.parse_args()
    libraries_at = 180 if args.pages >= 190 else args.pages // 2
    if args.make:
        Path(args.make).write_bytes(budget_book(args.pages, libraries_at=libraries_at))
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    import os

    # A database of its own, for the import's dry run: the goals it finds, nothing kept.
    scratch = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ["BIBLIOTAL_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bibliotal.core.models import Organisation
    from bibliotal.goals.documents import reading
    from bibliotal.goals.services import import_budget_document

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench Kommune", municipality_code="997")

    # Typeset in a child process, so that Typst's memory is not counted as the reader's.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "budget.pdf"
        start = time.perf_counter()
        command = [sys.executable, __file__, "--pages", str(args.pages), "--make", str(path)]
        subprocess.run(command, check=True)
        made = time.perf_counter() - start
        pdf = path.read_bytes()
    print(f"typeset {args.pages} pages in {made:.1f} s, {len(pdf) / 1e6:.1f} MB")

    def read_book():
        document = reading.read(pdf, "budget.pdf")
        sections = reading.find_sections(document)
        return document, sections, reading.libraries_section(sections)

    def import_book():
        return import_budget_document(
            organisation=organisation, data=pdf, filename="budget.pdf", dry_run=True
        )

    reads, imports = [], []
    for _run in range(args.runs):
        start = time.perf_counter()
        document, sections, chosen = read_book()
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = import_book()
        imports.append(time.perf_counter() - start)
    # Memory in a run of its own: tracemalloc slows Python down several times.
    tracemalloc.start()
    import_book()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    targets = [t for d in result.documents for a in d.focus_areas for t in a.targets]
    areas = {a.texts["service_area"] for d in result.documents for a in d.focus_areas}
    print(
        f"read {document.pages} pages, {len(document.blocks)} blocks, {len(sections)} sections; "
        f"libraries: {chosen.title!r} on pages {chosen.first_page}–{chosen.last_page}"
    )
    print(
        f"imported (dry run) {len(targets)} targets of {sum(not t.is_qualitative for t in targets)}"
        f" measurable, service areas {sorted(areas)}"
    )

    def runs(times):
        listed = ", ".join(f"{t:.2f}" for t in times)
        return f"median {statistics.median(times):.2f} s (runs: {listed})"

    print(f"read and find the sections: {runs(reads)}")
    print(f"the whole import, dry run:  {runs(imports)}")
    print(f"peak Python memory {peak / 2**20:.0f} MiB; peak process (ru_maxrss) {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
