// "Share" uses the phone's share sheet when there is one; the mailto link stays the fallback.
const link = document.querySelector("[data-share-url]");
if (link && navigator.share) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    navigator.share({ title: link.dataset.shareTitle, url: link.dataset.shareUrl }).catch(() => {});
  });
}
