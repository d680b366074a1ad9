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
