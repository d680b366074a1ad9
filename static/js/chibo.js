// chibo: small progressive enhancements; every page works without this file.
document.addEventListener("htmx:responseError", function () {
  var main = document.getElementById("main");
  if (main) {
    var p = document.createElement("p");
    p.className = "errors";
    p.setAttribute("role", "alert");
    p.textContent = "Không tải được dữ liệu, hãy thử lại. (Could not load; please retry.)";
    main.prepend(p);
  }
});

// A link marked data-download (a province's roll as Excel takes about a minute): the progress
// bar and a message until the file arrives. The link's address gets a token; the server sends
// it back as a cookie with the file (chibo/lib/downloads.py). Without this script the link
// downloads the same file, unannounced; so does a second link clicked while one is awaited
// (the page has one cookie to wait on, which a second file would overwrite). The bar runs by
// a class of its own: htmx takes its class off the bar when any request of the page ends.
var awaitingDownload = false;
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-download]") : null;
  if (!link || awaitingDownload || event.button !== 0 || event.ctrlKey || event.metaKey ||
      event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  awaitingDownload = true;
  var token = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  var url = new URL(link.href, window.location.href);
  url.searchParams.set("download", token);
  var bar = document.getElementById("progress");
  var status = document.getElementById("download-status");
  var started = Date.now();
  if (bar) bar.classList.add("downloading");
  link.setAttribute("aria-busy", "true");
  if (status) status.textContent = status.dataset.busy;
  var timer = window.setInterval(function () {
    var arrived = document.cookie.split("; ").indexOf("chibo_download=" + token) !== -1;
    if (!arrived && Date.now() - started < 15 * 60 * 1000) return;
    window.clearInterval(timer);
    awaitingDownload = false;
    document.cookie = "chibo_download=; Max-Age=0; path=/; SameSite=Lax";
    if (bar) bar.classList.remove("downloading");
    link.removeAttribute("aria-busy");
    if (status) {
      status.textContent = arrived ? status.dataset.done : "";
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
  }, 400);
  window.location.href = url.toString();
});
