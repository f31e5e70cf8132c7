// The photo page: drop photos (with previews), upload them with a progress bar, drag the list to reorder.
// Without JavaScript the same forms still work (choose files, then Upload).
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("file-input");
  const previews = document.getElementById("previews");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const messages = JSON.parse(document.getElementById("media-messages").textContent);

  function showPreviews() {
    previews.replaceChildren();
    for (const file of input.files) {
      const figure = document.createElement("figure");
      figure.className = "m-0";
      const img = document.createElement("img");
      img.alt = file.name;
      const reader = new FileReader();
      reader.addEventListener("load", () => { img.src = reader.result; });
      reader.readAsDataURL(file);
      const caption = document.createElement("figcaption");
      caption.className = "small text-muted";
      caption.textContent = file.name + " (" + Math.round(file.size / 1024) + " kB)";
      figure.append(img, caption);
      previews.append(figure);
    }
  }

  input.addEventListener("change", showPreviews);
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) {
      event.preventDefault();
      zone.classList.add("up-drop-active");
    }
  }));
  zone.addEventListener("dragleave", () => zone.classList.remove("up-drop-active"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("up-drop-active");
    const files = new DataTransfer();
    for (const file of event.dataTransfer.files) files.items.add(file);
    input.files = files.files;
    showPreviews();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.files.length) { status.textContent = messages.choose; return; }
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "fetch");
    progress.hidden = false;
    progress.value = 0;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        progress.value = Math.round((100 * e.loaded) / e.total);
        status.textContent = messages.sending + " " + progress.value + " %";
      }
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        status.textContent = messages.done;
        window.location.reload();
        return;
      }
      let text = messages.failed;
      try { text = JSON.parse(request.responseText).error || text; } catch (e) { /* not JSON */ }
      status.textContent = text;
      status.className = "small text-danger";
      progress.hidden = true;
    });
    request.addEventListener("error", () => { status.textContent = messages.failed; progress.hidden = true; });
    request.send(new FormData(form));
  });

  // Reorder by dragging the photos; the new order is saved at once.
  const list = document.getElementById("media-list");
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".up-media-item");
    if (!dragged) return;
    dragged.classList.add("up-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
  });
  list.addEventListener("dragover", (event) => {
    const over = event.target.closest(".up-media-item");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    over.parentNode.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  list.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });
  list.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("up-dragging");
    dragged = null;
    const order = Array.from(list.querySelectorAll(".up-media-item")).map((item) => item.dataset.id).join(",");
    const orderInput = document.getElementById("order-input");
    if (order !== orderInput.value) {
      orderInput.value = order;
      document.getElementById("order-form").submit();
    }
  });
})();
