// After a refused form, take the reader to what went wrong: on a phone the error summary is
// often below the fold, and focusing it lets a screen reader read it first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});
