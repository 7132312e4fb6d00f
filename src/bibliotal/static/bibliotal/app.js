// After a refused form, take the reader to what went wrong: on a phone the error summary is
// often below the fold, and focusing it lets a screen reader read it first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});

// This script loads in the page's head, before the body is drawn: the class lets the stylesheet
// fold the menu away on a phone only when the menu button can open it again.
document.documentElement.classList.add("js");

// The phone menu: one button shows and hides the tools and the main navigation.
function setMenu(header, open) {
  header.classList.toggle("menu-open", open);
  const button = header.querySelector(".menu-button");
  if (button) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-button");
  if (button) {
    const header = button.closest(".site-header");
    setMenu(header, !header.classList.contains("menu-open"));
  }
});

document.addEventListener("keydown", (event) => {
  const header = document.querySelector(".site-header.menu-open");
  if (event.key === "Escape" && header) {
    setMenu(header, false);
    header.querySelector(".menu-button").focus();
  }
});

// Tables of class "stack" become one card per row on a phone (see app.css). Each cell gets the
// name of its column in data-label, for the stylesheet to show beside the value; a cell that
// spans columns, or that has a data-label of its own, keeps what it has. The ARIA roles keep
// the table a table for a screen reader when the stylesheet displays its parts as blocks.
const ROLES = { TABLE: "table", THEAD: "rowgroup", TBODY: "rowgroup", TFOOT: "rowgroup", TR: "row", TD: "cell" };

function stackTable(table) {
  const headerRow = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
  const labels = [];
  if (headerRow) {
    for (const th of headerRow.cells) {
      // A column whose name is there only for screen readers (Actions) shows none on a card.
      const shown = th.cloneNode(true);
      shown.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
      const text = shown.textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < th.colSpan; i += 1) {
        labels.push(text);
      }
    }
  }
  for (const element of [table, table.tHead, ...table.tBodies, table.tFoot]) {
    if (element && !element.hasAttribute("role")) {
      element.setAttribute("role", ROLES[element.tagName]);
    }
  }
  for (const row of table.rows) {
    if (!row.hasAttribute("role")) {
      row.setAttribute("role", "row");
    }
    let column = 0;
    for (const cell of row.cells) {
      if (!cell.hasAttribute("role")) {
        const scope = cell.tagName === "TH" ? cell.getAttribute("scope") : null;
        cell.setAttribute("role", cell.tagName === "TD" ? "cell" : scope === "row" ? "rowheader" : "columnheader");
      }
      if (cell.tagName === "TD" && !cell.hasAttribute("data-label")) {
        cell.setAttribute("data-label", cell.colSpan === 1 ? labels[column] || "" : "");
      }
      column += cell.colSpan;
    }
  }
}

function stackTables(root) {
  const tables = root.matches && root.matches("table.stack") ? [root] : [];
  tables.push(...root.querySelectorAll("table.stack"));
  tables.forEach(stackTable);
}

document.addEventListener("DOMContentLoaded", () => stackTables(document));
// Panels and forms that htmx puts into the page later.
document.addEventListener("htmx:load", (event) => stackTables(event.detail.elt));

// A table that must stay a table (a grid to type in, the heat map) scrolls inside its box
// (.table-scroll, focusable, so the arrow keys scroll it too). When it is wider than the box,
// a line above it says so, and the box names that line as its description.
let hints = 0;

function markScrolling() {
  const text = document.querySelector("main[data-scroll-hint]")?.dataset.scrollHint;
  for (const box of document.querySelectorAll(".table-scroll")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("scrolls", scrolls);
    // The caption stays in view, as wide as the box, while the table scrolls under it.
    box.style.setProperty("--box-width", `${box.clientWidth}px`);
    let hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!scrolls || !text) {
        continue;
      }
      hints += 1;
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.id = `scroll-hint-${hints}`;
      hint.textContent = text;
      box.before(hint);
    }
    hint.hidden = !scrolls;
    const described = (box.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== hint.id);
    if (scrolls) {
      described.push(hint.id);
    }
    if (described.length) {
      box.setAttribute("aria-describedby", described.join(" "));
    } else {
      box.removeAttribute("aria-describedby");
    }
  }
}

let scrollCheck = 0;
function checkScrollingSoon() {
  cancelAnimationFrame(scrollCheck);
  scrollCheck = requestAnimationFrame(markScrolling);
}

document.addEventListener("DOMContentLoaded", markScrolling);
window.addEventListener("resize", checkScrollingSoon);
document.addEventListener("htmx:load", checkScrollingSoon);
