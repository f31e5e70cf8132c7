// Favourites, kept on the phone only (localStorage): a toggle on place pages, and the /favourites list drawn
// from the content stored for offline use (so it works without a network).
const KEY = "upb:favourites";

export function favourites() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || [];
  } catch {
    return [];
  }
}

function save(ids) {
  localStorage.setItem(KEY, JSON.stringify(ids));
}

const toggle = document.getElementById("favourite-toggle");
if (toggle) {
  const id = toggle.dataset.id;
  const texts = JSON.parse(toggle.dataset.texts);
  const render = () => {
    const on = favourites().includes(id);
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? texts.remove : texts.add;
  };
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const ids = favourites();
    save(ids.includes(id) ? ids.filter((other) => other !== id) : [...ids, id]);
    render();
  });
  render();
}

const list = document.getElementById("favourites");
if (list) {
  const { feature, pick } = await import("/app/static/data.js");
  const lang = document.documentElement.lang;
  for (const id of favourites()) {
    const item = await feature("pois", id);
    if (!item) continue; // unpublished or deleted since
    const li = document.createElement("li");
    li.className = "place";
    const link = Object.assign(document.createElement("a"), { href: `/places/${id}?lang=${lang}` });
    link.append(Object.assign(document.createElement("strong"), { className: "name", textContent: pick(item.properties.name, lang) }));
    li.append(link);
    list.append(li);
  }
  document.getElementById("favourites-empty").hidden = list.children.length > 0;
  list.dataset.ready = "true";
}
