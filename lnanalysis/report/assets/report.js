(function () {
  var table = document.getElementById('scorecard-table');
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById('filter');
  var select = document.getElementById('status-filter');
  var counter = document.getElementById('rows-shown');
  var template = JSON.parse(counter.getAttribute('data-template'));
  var lang = document.documentElement.lang;
  function apply() {
    var q = filter.value.trim().toLowerCase(), s = select.value, shown = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.getAttribute('data-search').indexOf(q) >= 0) &&
               (!s || r.getAttribute('data-status').split(' ').indexOf(s) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    counter.textContent = template.replace('{shown}', shown).replace('{total}', rows.length);
  }
  function key(row, index, numeric) {
    var cell = row.cells[index];
    if (!numeric) return cell.textContent.trim();
    var v = cell.getAttribute('data-sort');
    return v === '' || v === null ? NaN : parseFloat(v);
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.querySelector('button').addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir);
      var numeric = th.getAttribute('data-type') === 'number', sign = dir === 'ascending' ? 1 : -1;
      rows.sort(function (a, b) {
        var x = key(a, index, numeric), y = key(b, index, numeric);
        if (numeric) {
          if (isNaN(x) || isNaN(y)) return isNaN(x) - isNaN(y);  // missing last
          return sign * (x - y);
        }
        return sign * x.localeCompare(y, lang);
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
    });
  });
  filter.addEventListener('input', apply);
  select.addEventListener('change', apply);
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.open = true; });
  });
  apply();
})();
