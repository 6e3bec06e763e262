/// The site's one script, small and progressive: every page works without it. It prints (a "打印" button on any
/// page) and, on the self-assessment page, shares the answers as a link.
enum SiteScript {
    static let text = """
    (function () {
      // Print: any button marked data-action="print".
      document.querySelectorAll('[data-action="print"]').forEach(function (button) {
        button.addEventListener('click', function () { window.print(); });
      });
      // Share the self-assessment answers. The link keeps them after '#': browsers never send that part to
      // the server, so nothing a resident types reaches a log.
      var form = document.querySelector('form.self-assessment');
      if (!form) return;
      if (location.hash.length > 1) {
        var params = new URLSearchParams(location.hash.slice(1));
        params.forEach(function (value, key) {
          var el = form.elements[key];
          if (!el) return;
          if (el.type === 'checkbox') el.checked = value === 'on'; else el.value = value;
        });
      }
      document.querySelectorAll('[data-action="share"]').forEach(function (button) {
        button.addEventListener('click', function () {
          var data = new URLSearchParams();
          Array.prototype.forEach.call(form.elements, function (el) {
            if (!el.name) return;
            if (el.type === 'checkbox') { if (el.checked) data.append(el.name, 'on'); }
            else if (el.value) data.append(el.name, el.value);
          });
          var link = location.origin + location.pathname + '#' + data.toString();
          if (navigator.clipboard) navigator.clipboard.writeText(link);
          history.replaceState(null, '', '#' + data.toString());
          button.textContent = '链接已复制';
        });
      });
    })();
    """
}
