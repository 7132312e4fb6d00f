// A "Copy" button beside a read-only field (a new API token, an invitation link): puts the
// field's text on the clipboard and says so in the status line. Without JavaScript the button
// stays hidden and the text can be selected by hand.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.focus();
      field.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        copied = document.execCommand("copy"); // without a secure context (plain http)
      }
      if (status) {
        status.textContent = copied ? button.dataset.copied : button.dataset.failed;
      }
    });
  }
});
